package org.celeriac.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.beat.Beat;
import org.celeriac.beat.BeatEntry;
import org.celeriac.beat.PackageEntries;
import org.celeriac.config.Settings;
import org.celeriac.spi.beat.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A beat of an open app, with the entries of its schedule file ({@code beat_schedule_file}), which it reads again
 * when the file changes: {@code celeriac beat}, and {@code celeriac worker -B}.
 */
final class BeatRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BeatRun.class);
    private static final String FILE_SOURCE = "file";
    private static final long WATCH_SECONDS = 2;

    private final ScheduleStore store;
    private final Beat beat;
    private final Path file;
    private final ScheduledExecutorService watcher;
    private FileTime readAt;

    /**
     * Opens the store and reads the schedule file; the beat is not started yet.
     *
     * @throws IllegalArgumentException when the schedule file is missing or wrong: nothing starts on a bad file
     */
    BeatRun(Celeriac app) {
        String name = app.settings().get(Settings.BEAT_SCHEDULE_FILE);
        this.file = name == null || name.isBlank() ? null : Path.of(name);
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("beat schedule file not found: " + file);
        }
        this.store = app.openScheduleStore();
        try {
            this.beat = app.beat(store, app.beatSettings());
            beat.entries("packages", new PackageEntries(app.tasks(), beat.settings().zone()));
            if (file != null) {
                readAt = Files.getLastModifiedTime(file);
                beat.entries(FILE_SOURCE, ScheduleFile.read(file, beat.settings().zone()));
            }
        } catch (IOException e) {
            store.close();
            throw new IllegalArgumentException("beat schedule file " + file + " cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "celeriac-beat-file");
            t.setDaemon(true);
            return t;
        });
    }

    Beat beat() {
        return beat;
    }

    void start() {
        beat.start();
        if (file != null) {
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, WATCH_SECONDS, WATCH_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A file that no longer reads leaves the entries as they were, and says why. */
    private void reloadIfChanged() {
        try {
            FileTime now = modified();
            if (now.equals(readAt)) {
                return;
            }
            readAt = now;
            List<BeatEntry> entries = ScheduleFile.read(file, beat.settings().zone());
            beat.entries(FILE_SOURCE, entries);
            LOG.info("Beat: schedule file {} read again: {} entries", file, entries.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Beat: schedule file {} not applied, the entries stay as they were: {}", file, e.getMessage());
        }
    }

    private FileTime modified() throws IOException {
        return Files.getLastModifiedTime(file);
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
        watcher.shutdownNow();
        try {
            beat.close();
        } finally {
            store.close();
        }
    }
}
