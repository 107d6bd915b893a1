package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.celeriac.tck.ScheduleStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The schedule store contract on a file of each test's own, and what the file store does beyond it. */
class FileScheduleStoreTest extends ScheduleStoreContract {

    @TempDir
    Path dir;

    private String url;

    @Override
    protected ScheduleStore openStore() {
        url = dir.resolve("stores/" + System.nanoTime() + "/beat-schedule.json").toUri().toString();
        return new FileScheduleStoreFactory().open(url, Map.of());
    }

    @Override
    protected ScheduleStore openSecondStore() {
        return new FileScheduleStoreFactory().open(url, Map.of());
    }

    private Path file() {
        return FileScheduleStoreFactory.pathOf(url);
    }

    @Test
    void fileIsReadableJsonWithTheEntryDefinitionsInline() throws Exception {
        store.putEntry("add", "{\"task\":\"demo.add\",\"schedule\":30.0}");
        store.recordRun("add", Instant.parse("2026-11-25T11:41:32Z"));
        store.acquireLease("beat@host", Duration.ofHours(1));

        JsonNode root = new ObjectMapper().readTree(file().toFile());

        assertThat(root.path("entries").path("add").path("task").asText()).isEqualTo("demo.add");
        assertThat(root.path("lastRuns").path("add").asText()).isEqualTo("2026-11-25T11:41:32Z");
        assertThat(root.path("lease").path("holder").asText()).isEqualTo("beat@host");
        assertThat(file().resolveSibling("beat-schedule.json.lock")).exists();
    }

    @Test
    void aTempFileLeftByAKilledWriterChangesNothing() throws Exception {
        store.putEntry("add", "{\"task\":\"demo.add\",\"schedule\":30.0}");
        Files.writeString(file().resolveSibling("beat-schedule.json.tmp"), "{\"entries\": {\"torn\"");

        assertThat(other.entries()).containsOnlyKeys("add");
        other.putEntry("mul", "{\"task\":\"demo.mul\",\"schedule\":60.0}");
        assertThat(store.entries()).containsOnlyKeys("add", "mul");
    }

    @Test
    void definitionThatIsNotJsonIsRefused() {
        assertThatThrownBy(() -> store.putEntry("bad", "{task: demo.add"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad");
        assertThat(store.entries()).isEmpty();
    }

    @Test
    void unreadableFileFailsAsAStoreFailureAndIsNotOverwritten() throws Exception {
        Files.writeString(file(), "not json");

        assertThatThrownBy(store::lastRuns).isInstanceOf(ScheduleStoreException.class);
        assertThatThrownBy(() -> store.recordRun("x", Instant.now())).isInstanceOf(ScheduleStoreException.class);
        assertThat(Files.readString(file())).isEqualTo("not json");
    }

    @Test
    void closedStoreRefusesWork() {
        store.close();
        store.close();

        assertThatThrownBy(store::entries).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void urlsNameAFileRelativeToTheWorkingDirectoryOrAbsolute() {
        Path cwd = Path.of("").toAbsolutePath();

        assertThat(FileScheduleStoreFactory.pathOf(FileScheduleStoreFactory.DEFAULT_URL))
                .isEqualTo(cwd.resolve("celeriac-data/beat-schedule.json"));
        assertThat(FileScheduleStoreFactory.pathOf("file:///var/lib/celeriac/beat.json"))
                .isEqualTo(Path.of("/var/lib/celeriac/beat.json"));
        assertThat(FileScheduleStoreFactory.pathOf("file:/var/lib/celeriac/my%20beat.json"))
                .isEqualTo(Path.of("/var/lib/celeriac/my beat.json"));
        assertThat(FileScheduleStoreFactory.pathOf("FILE://localhost/tmp/beat.json")).isEqualTo(Path.of("/tmp/beat.json"));
        for (String bad : List.of("file:", "file://otherhost/beat.json", "file:///var/lib/", "redis://localhost")) {
            assertThatThrownBy(() -> FileScheduleStoreFactory.pathOf(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void openingCreatesTheDirectory() {
        Path nested = dir.resolve("a/b/c/beat.json");
        try (ScheduleStore s = new FileScheduleStoreFactory().open("file:" + nested, Map.of())) {
            s.putEntry("e", "{}");
        }

        assertThat(nested).exists();
    }

    /** Another JVM and this one put entries at once; file locks serialise them across processes, so none is lost. */
    @Test
    void entriesPutByAnotherProcessAtTheSameTimeAreAllKept() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PutEntries.class.getName(), url, "child", "100")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            store.putEntry("parent-" + i, "{\"i\":" + i + "}");
            mine.add("parent-" + i);
        }

        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
        assertThat(store.entries()).hasSize(200).containsKeys(mine.toArray(String[]::new))
                .containsKeys("child-0", "child-99");
    }

    /** The other process of {@link #entriesPutByAnotherProcessAtTheSameTimeAreAllKept}. */
    static final class PutEntries {
        public static void main(String[] args) {
            try (ScheduleStore s = new FileScheduleStoreFactory().open(args[0], Map.of())) {
                for (int i = 0; i < Integer.parseInt(args[2]); i++) {
                    s.putEntry(args[1] + "-" + i, "{\"i\":" + i + "}");
                }
            }
        }
    }
}
