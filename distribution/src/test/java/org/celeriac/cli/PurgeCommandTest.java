package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.cli.CallCommandTest.call;

import org.celeriac.cli.InProcessCli.Run;
import org.junit.jupiter.api.Test;

class PurgeCommandTest {

    private final InProcessCli cli = new InProcessCli();

    @Test
    void forcedPurgeRemovesTheWaitingMessagesAndSaysHowMany() {
        sendAdds("p", 3);

        Run run = cli.run("purge", "-f", "--broker", "memory://p", "--backend", "memory://p");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo("Purged 3 messages from queue celery.");
        assertThat(cli.run("purge", "-f", "--broker", "memory://p", "--backend", "memory://p").out().strip())
                .isEqualTo("Purged 0 messages from queue celery.");
    }

    @Test
    void purgeAsksFirstAndRemovesNothingWithoutAYes() {
        sendAdds("ask", 2);

        Run declined = cli.runWithInput("n\n", "purge", "--broker", "memory://ask", "--backend", "memory://ask");
        assertThat(declined.exitCode()).isZero();
        assertThat(declined.err()).contains("Remove every waiting message from celery?").contains("Not purged.");

        Run accepted = cli.runWithInput("y\n", "purge", "--broker", "memory://ask", "--backend", "memory://ask");
        assertThat(accepted.out().strip()).isEqualTo("Purged 2 messages from queue celery.");
    }

    @Test
    void purgeTakesTheQueuesItIsGiven() {
        cli.run(call("q", "demo.add", "--args", "[1,1]", "-Q", "a"));
        cli.run(call("q", "demo.add", "--args", "[1,1]", "-Q", "b"));
        cli.run(call("q", "demo.add", "--args", "[1,1]"));

        Run run = cli.run("purge", "-f", "-Q", "a,b", "--broker", "memory://q", "--backend", "memory://q");

        assertThat(run.out().strip()).isEqualTo("Purged 2 messages from queues a, b.");
    }

    private void sendAdds(String broker, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(cli.run(call(broker, "demo.add", "--args", "[1,1]")).exitCode()).isZero();
        }
    }
}
