package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("beat.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsEntriesInTheShapeOfCelerysBeatSchedule() throws Exception {
        List<BeatEntry> entries = ScheduleFile.read(write("""
                every-second:
                  task: demo.add
                  schedule: 1
                  args: [1, 2]
                  kwargs: {}
                  options: {queue: celery, expires: 10, priority: 5}
                office-hours:
                  task: demo.add
                  schedule: {crontab: "*/15 9-17 * * mon-fri"}
                new-year:
                  task: demo.echo
                  schedule: {clocked: 2027-01-01T00:00:00Z}
                """), ZoneOffset.UTC);

        assertThat(entries).extracting(BeatEntry::name).containsExactly("every-second", "office-hours", "new-year");
        assertThat(entries.get(0).args()).isEqualTo(List.of(1, 2));
        assertThat(entries.get(0).options()).containsEntry("priority", 5);
        // an unquoted YAML timestamp is a date to SnakeYAML: it arrives as the instant it names
        assertThat(entries.get(2).schedule().nextAfter(Instant.parse("2026-12-31T00:00:00Z")))
                .isEqualTo(Optional.of(Instant.parse("2027-01-01T00:00:00Z")));
    }

    @Test
    void anEmptyFileHasNoEntries() throws Exception {
        assertThat(ScheduleFile.read(write("# nothing yet\n"), ZoneOffset.UTC)).isEmpty();
    }

    @Test
    void refusesAWrongEntryNamingTheFileAndTheEntry() throws Exception {
        Path f = write("""
                typo:
                  task: demo.add
                  schedule: 1
                  options: {prority: 5}
                """);

        assertThatThrownBy(() -> ScheduleFile.read(f, ZoneOffset.UTC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'typo'").hasMessageContaining("prority");
    }

    @Test
    void refusesWhatIsNotYamlOrNotAMapping() throws Exception {
        Path notYaml = write("a: [1, 2\n");
        assertThatThrownBy(() -> ScheduleFile.read(notYaml, ZoneOffset.UTC)).hasMessageContaining("not valid YAML");
        Path list = write("- task: demo.add\n");
        assertThatThrownBy(() -> ScheduleFile.read(list, ZoneOffset.UTC))
                .hasMessageContaining("expected a mapping of entry names to entries");
    }

    @Test
    void neverBuildsObjectsTheFileNames() throws Exception {
        Path hostile = write("x: !!java.io.File [\"/etc/passwd\"]\n");

        assertThatThrownBy(() -> ScheduleFile.read(hostile, ZoneOffset.UTC)).hasMessageContaining("not valid YAML");
    }

    @Test
    void parsesAScheduleGivenOnTheCommandLine() {
        assertThat(ScheduleFile.parseValue("10")).isEqualTo(10);
        assertThat(ScheduleFile.parseValue("{crontab: \"0 3 * * *\"}")).isEqualTo(Map.of("crontab", "0 3 * * *"));
    }
}
