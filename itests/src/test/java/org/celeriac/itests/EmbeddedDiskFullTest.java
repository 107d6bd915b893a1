package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.CeleriacProcesses.Finished;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default on a data directory that fills up, then is made read-only: a small tmpfs of the test's own
 * (mounting needs root; skipped elsewhere). Sends are refused, saying why, once the disk has less free than the
 * reserve kept for workers; the worker runs on from the reserve; once there is space again sends go through, and
 * every task the client was told is sent runs, with nothing corrupted. A read-only directory stops a worker at
 * start, naming it.
 */
class EmbeddedDiskFullTest {
    private static final String READY = "Stop with Ctrl-C";
    /** Each task's argument, about 10 kB of numbers: the 8 MB disk reaches its 2 MB reserve after some hundreds. */
    private static final List<Integer> NUMBERS = IntStream.range(0, 2_000).boxed().toList();
    private static final long SUM = 1_999L * 2_000 / 2;

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", "-l", mounted.toString());
        }
    }

    @Test
    void sendsStopClearlyBeforeTheDiskIsFullAndWorkResumesWhenSpaceReturns() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        mount(data, "size=8m");
        String database = "sql:file:" + data.resolve("celeriac") + "?disk_reserve=2";
        Child worker = celeriac.start(dir, "worker", "--acks-late", "-c", "2", "--broker", database, "--backend",
                database);
        worker.awaitOutput(READY);

        List<String> sent = new ArrayList<>();
        TransportException full = null;
        try (Celeriac app = open(database)) {
            while (full == null && sent.size() < 10_000) {
                try {
                    sent.add(app.client().send("demo.xsum", List.of(NUMBERS), Map.of()).id());
                } catch (TransportException e) {
                    full = e;
                }
            }
        } catch (RuntimeException closing) {
            // the client's close may meet the full disk too; what it sent is what counts
        }
        assertThat(full).as("a send refused once the disk neared full").isNotNull();
        assertThat(full.getMessage()).contains("Not sending: the disk holding " + data, "(disk_reserve)");
        assertThat(sent).as("tasks sent before the disk filled").isNotEmpty();

        run("mount", "-o", "remount,size=64m", data.toString());
        try (Celeriac app = open(database)) {
            sent.add(app.client().send("demo.xsum", List.of(NUMBERS), Map.of()).id());
            for (int i = 0; i < sent.size(); i++) {
                AsyncResult r = app.client().result(sent.get(i));
                assertThat(((Number) r.get(CeleriacProcesses.WAIT)).longValue()).as("task %d", i).isEqualTo(SUM);
            }
        }
        worker.process().destroy();
        assertThat(worker.awaitExit()).as(worker.err()).isZero();

        run("mount", "-o", "remount,ro", data.toString());
        Finished refused = celeriac.run(dir, "worker", "--broker", database, "--backend", database);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("the database file " + data.resolve("celeriac.mv.db") + " is read-only");
        assertThatThrownBy(() -> open(database).close()).hasMessageContaining("read-only");
    }

    private static Celeriac open(String database) {
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, database, Settings.RESULT_BACKEND, database)));
    }

    private void mount(Path at, String options) throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "cannot mount a tmpfs here (needs root): " + out.strip());
        mounted = at;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
