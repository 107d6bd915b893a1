package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.itests.CeleriacProcesses.Child;
import org.junit.jupiter.api.Test;

/**
 * Beats on the embedded default, as a user without any server runs them: the SQL broker and the file store, both
 * under celeriac-data in the shared working directory. The tests' other stores are files beside it.
 */
class EmbeddedBeatTest extends BeatProcessContract {
    private static final Pattern RAN = Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded");

    @Override
    List<String> connection(String store) {
        return store.equals("one") ? List.of() : List.of("--store", "file:" + store + "-beat.json");
    }

    /** {@code worker -B}: one process sends the periodic tasks and runs them. */
    @Test
    void aWorkerWithBeatRunsTheTasksItsBeatSends() throws Exception {
        Files.writeString(dir.resolve("beat.yaml"), """
                twice-a-second:
                  task: demo.add
                  schedule: 0.5
                  args: [20, 22]
                """, StandardCharsets.UTF_8);
        Child worker = celeriac.start(dir, "worker", "-B", "-s", "beat.yaml", "-c", "2");
        worker.awaitOutput("Stop with Ctrl-C");
        assertThat(worker.out()).contains("beat:", "twice-a-second");

        long deadline = System.nanoTime() + CeleriacProcesses.WAIT.toNanos();
        while (ran(worker.err()) < 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        worker.process().destroy();

        assertThat(worker.awaitExit()).isZero();
        assertThat(ran(worker.err())).as(worker.err()).isGreaterThanOrEqualTo(4);
        assertThat(ticks(worker, "twice-a-second")).hasSizeGreaterThanOrEqualTo(4).doesNotHaveDuplicates();
    }

    private static int ran(String log) {
        int n = 0;
        for (Matcher m = RAN.matcher(log); m.find(); ) {
            n++;
        }
        return n;
    }
}
