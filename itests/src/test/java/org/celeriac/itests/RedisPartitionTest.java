package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.RedisServers.Server;
import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code celeriac worker} that reaches Redis through a {@link PartitionProxy}: after its connections go silent
 * without a reset (a network partition), it works again once the network does (celery#8030, #10205: Celery workers
 * that stay silent after a network fault).
 */
class RedisPartitionTest {
    private static final String READY = "Stop with Ctrl-C";
    /** Generous for a slow machine; a worker stuck on a silent connection never makes it. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    // Registered first, so that after each test its servers stop last, once the processes using them are gone.
    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void workerConsumesAgainAfterItsConnectionsGoSilent() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        PartitionProxy proxy = servers.partitionable(server);
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, server.url(0),
                     Settings.RESULT_BACKEND, server.url(1))))) {
            // a short socket timeout: a silent blocking read gives up after about 1 s + this
            String viaProxy = "redis://127.0.0.1:" + proxy.port() + "/";
            Child worker = celeriac.start(dir, "worker", "-c", "2", "--broker", viaProxy + "0?socket_timeout=2",
                    "--backend", viaProxy + "1?socket_timeout=2");
            worker.awaitOutput(READY);
            assertThat(((Number) app.client().send("demo.add", List.of(1, 1), Map.of()).get(CeleriacProcesses.WAIT))
                    .longValue()).isEqualTo(2L);

            proxy.partition(); // the idle worker waits in a blocking pop, now on a silent connection
            // Redis ends that pop on its side within its 1 s slice: the next task cannot go to the vanished consumer
            Thread.sleep(1_500);
            proxy.heal();

            Object sum = app.client().send("demo.add", List.of(2, 3), Map.of()).get(BOUND);
            assertThat(((Number) sum).longValue()).isEqualTo(5L);
            assertThat(worker.err()).contains("the connection went silent");
        }
    }
}
