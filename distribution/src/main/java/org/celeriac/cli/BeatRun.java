package org.celeriac.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.beat.Beat;
import org.celeriac.beat.PackageEntries;
import org.celeriac.beat.ScheduleFileSource;
import org.celeriac.config.Settings;
import org.celeriac.spi.beat.ScheduleStore;

/**
 * A beat of an open app, with the entries of its schedule file ({@code beat_schedule_file}), which it reads again
 * when the file changes ({@link ScheduleFileSource}): {@code celeriac beat}, and {@code celeriac worker -B}.
 */
final class BeatRun implements AutoCloseable {
    private static final String FILE_SOURCE = "file";

    private final ScheduleStore store;
    private final Beat beat;
    private final Path file;

    /**
     * Opens the store and reads the schedule file; the beat is not started yet.
     *
     * @throws IllegalArgumentException when the schedule file is missing or wrong: nothing starts on a bad file
     */
    BeatRun(Celeriac app) {
        String name = app.settings().get(Settings.BEAT_SCHEDULE_FILE);
        this.file = name == null || name.isBlank() ? null : Path.of(name);
        // the file first: a bad one stops us before the store is opened
        ScheduleFileSource fileEntries = file == null ? null
                : new ScheduleFileSource(file, app.beatSettings().zone());
        this.store = app.openScheduleStore();
        try {
            this.beat = app.beat(store, app.beatSettings());
            beat.entries("packages", new PackageEntries(app.tasks(), beat.settings().zone()));
            if (fileEntries != null) {
                beat.entries(FILE_SOURCE, fileEntries);
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    Beat beat() {
        return beat;
    }

    void start() {
        beat.start();
    }

    String describeStore(Settings settings) {
        return Urls.redact(settings.get(Settings.BEAT_STORE));
    }

    Map<String, Instant> lastRuns() {
        return store.lastRuns();
    }

    Path file() {
        return file;
    }

    /** Stops the beat, which gives its lease up, then closes the store. */
    @Override
    public void close() {
        try {
            beat.close();
        } finally {
            store.close();
        }
    }
}
