package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.RedisServers.Server;
import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The beat that sends is partitioned from its store but not from the broker, the case a lease must guard: it
 * can no longer renew, so it must stop sending before its lease runs out in the store, and the other beat takes
 * over. Ticks are read from the beats' logs, as in {@link BeatProcessContract}.
 */
@Timeout(180)
class RedisBeatPartitionTest {
    private static final String SCHEDULE = """
            every-second:
              task: demo.add
              schedule: 1
              args: [1, 2]
              options: {queue: beat.ticks, expires: 30}
            """;
    private static final int LEASE_SECONDS = 2;

    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void aLeaderCutOffFromItsStoreStopsSendingAndTheOtherTakesOver() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        Files.writeString(dir.resolve("beat.yaml"), SCHEDULE, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("beat.properties"), "beat_lease_ttl=" + LEASE_SECONDS
                + "\nbeat_max_loop_interval=1\n");
        PartitionProxy proxy = servers.partitionable(server);
        Child cutOff = beat(server.url(0), "redis://127.0.0.1:" + proxy.port() + "/2?socket_timeout=1");
        BeatProcessContract.awaitLog(cutOff, "holds the lease");
        Child other = beat(server.url(0), server.url(2));
        Thread.sleep(5_000);

        proxy.partition();
        Instant partitionedAt = Instant.now();
        BeatProcessContract.awaitLog(other, "holds the lease");
        Thread.sleep(5_000);

        List<Instant> fromCutOff = BeatProcessContract.ticks(cutOff, "every-second");
        List<Instant> fromOther = BeatProcessContract.ticks(other, "every-second");
        assertThat(fromCutOff).as("sent before the partition").isNotEmpty();
        assertThat(fromCutOff).as("sent by the cut-off beat once its lease may have run out")
                .noneMatch(t -> t.isAfter(partitionedAt.plusSeconds(LEASE_SECONDS)));
        assertThat(fromOther.size()).as("the other beat sends").isGreaterThanOrEqualTo(3);
        List<Instant> both = new ArrayList<>(fromCutOff);
        both.retainAll(fromOther);
        assertThat(both).as("ticks both sent: at most one, sent and not recorded").hasSizeLessThanOrEqualTo(1);
        assertThat(cutOff.process().isAlive()).as("the cut-off beat keeps trying, it does not die").isTrue();
    }

    private Child beat(String broker, String store) throws InterruptedException {
        Child beat = celeriac.start(dir, "beat", "--broker", broker, "--backend", broker.replaceAll("/0$", "/1"),
                "--store", store, "--schedule", dir.resolve("beat.yaml").toString(), "--config",
                dir.resolve("beat.properties").toString());
        beat.awaitOutput("Stop with Ctrl-C");
        return beat;
    }
}
