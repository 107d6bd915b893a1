package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The parts of the command replies that need no worker: how settings are shown, how arguments are read. */
class WorkerCommandsTest {

    @Test
    void confMasksSecretsAsCelerysCensoredConf() {
        assertThat(WorkerCommands.censored("broker_url", "amqp://guest:s3cret@host:5672//"))
                .isEqualTo("amqp://guest:********@host:5672//");
        assertThat(WorkerCommands.censored("result_backend", "redis://:pw@host/1")).isEqualTo("redis://:********@host/1");
        assertThat(WorkerCommands.censored("broker_transport_options.sasl_password", "x")).isEqualTo("********");
        assertThat(WorkerCommands.censored("task_default_queue", "celery")).isEqualTo("celery");
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
