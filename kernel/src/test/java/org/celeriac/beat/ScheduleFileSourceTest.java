package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleFileSourceTest {
    private static final String ONE = """
            add:
              task: demo.add
              schedule: 1
              args: [2, 3]
            """;
    private static final String TWO = ONE + """
            echo:
              task: demo.echo
              schedule: 1
            """;

    @TempDir
    Path dir;
    private Path file;
    /** The source's clock, in nanoseconds; the tests move it past the check interval. */
    private final AtomicLong nanos = new AtomicLong();
    private Instant modified = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("beat.yaml");
        write(ONE);
    }

    /** Writes the file with a later modification time than before, whatever the file system's granularity. */
    private void write(String yaml) throws Exception {
        Files.writeString(file, yaml);
        modified = modified.plusSeconds(10);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private ScheduleFileSource source() {
        return new ScheduleFileSource(file, ZoneOffset.UTC, Duration.ofSeconds(2), nanos::get);
    }

    private void later() {
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void readsTheFileWhenMade() {
        assertThat(source().get()).extracting(BeatEntry::name).containsExactly("add");
    }

    @Test
    void readsTheFileAgainOnceItChanged() throws Exception {
        ScheduleFileSource source = source();
        write(TWO);
        later();

        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add", "echo");
    }

    @Test
    void looksAtTheFileAtMostOncePerCheckInterval() throws Exception {
        ScheduleFileSource source = source();
        write(TWO);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add", "echo");
    }

    @Test
    void aChangeThatDoesNotReadKeepsTheEntriesUntilTheNextGoodOne() throws Exception {
        ScheduleFileSource source = source();
        write("add: [1, 2\n");
        later();
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add");
        write("add:\n  task: demo.add\n  schedule: 1\n  options: {prority: 5}\n");
        later();
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add");

        write(TWO);
        later();
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add", "echo");
    }

    @Test
    void aFileThatVanishesKeepsItsEntriesAndIsReadWhenItComesBack() throws Exception {
        ScheduleFileSource source = source();
        Files.delete(file);
        later();
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add");

        write(TWO);
        later();
        assertThat(source.get()).extracting(BeatEntry::name).containsExactly("add", "echo");
    }

    @Test
    void refusesAMissingOrBadFileAtTheStart() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> new ScheduleFileSource(missing, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found")
                .hasMessageContaining(missing.toString());
        write("- task: demo.add\n");
        assertThatThrownBy(() -> new ScheduleFileSource(file, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString());
    }
}
