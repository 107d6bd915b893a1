package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The parts of the command replies that need no worker: how settings are shown, how arguments are read. */
class WorkerCommandsTest {

    @Test
    void confMasksSecretsAsCelerysCensoredConf() {
        assertThat(WorkerCommands.censored("broker_url", "amqp://guest:s3cret@host:5672//"))
                .isEqualTo("amqp://guest:**@host:5672//");
        assertThat(WorkerCommands.censored("result_backend", "redis://:pw@host/1")).isEqualTo("redis://:**@host/1");
        assertThat(WorkerCommands.censored("broker_url", "redis://s3cret@host/0")).as("redis-py's password alone")
                .isEqualTo("redis://**@host/0");
        assertThat(WorkerCommands.censored("beat_store", "jdbc:postgresql://db/c?user=u&password=s3cret"))
                .isEqualTo("jdbc:postgresql://db/c?user=u&password=**");
        assertThat(WorkerCommands.censored("broker_transport_options.sasl_password", "x")).isEqualTo("********");
        assertThat(WorkerCommands.censored("task_default_queue", "celery")).isEqualTo("celery");
    }

    @Test
    void statsNamesTheBrokerUserButNeverAPassword() {
        assertThat(BrokerInfo.of("amqp://guest:s3cret@h:5672//")).containsEntry("userid", "guest")
                .containsEntry("hostname", "h").containsEntry("port", 5672);
        assertThat(BrokerInfo.of("redis://s3cret@h:6379/0")).as("redis-py's redis://PASSWORD@host")
                .containsEntry("userid", null).containsEntry("hostname", "h");
        assertThat(BrokerInfo.of("redis://:s3cret@h:6379/0")).containsEntry("userid", null);
        assertThat(BrokerInfo.of("rediss://celeriac:s3cret@h:6379/0")).containsEntry("userid", "celeriac")
                .containsEntry("ssl", true);
        assertThat(BrokerInfo.of("jdbc:postgresql://h:5432/c?user=u&password=s3cret").toString())
                .doesNotContain("s3cret");
    }

    @Test
    void confGivesNumbersAndBooleansTheirTypes() {
        assertThat(WorkerCommands.typed("false")).isEqualTo(false);
        assertThat(WorkerCommands.typed("4")).isEqualTo(4L);
        assertThat(WorkerCommands.typed("2.5")).isEqualTo(2.5);
        assertThat(WorkerCommands.typed("10/s")).isEqualTo("10/s");
    }

    @Test
    void idsComeAsOneOrAList() {
        assertThat(WorkerCommands.strings("a")).containsExactly("a");
        assertThat(WorkerCommands.strings(List.of("a", "b"))).containsExactly("a", "b");
        assertThat(WorkerCommands.strings(null)).isEmpty();
    }
}
