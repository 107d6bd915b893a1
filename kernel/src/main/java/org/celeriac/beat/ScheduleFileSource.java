package org.celeriac.beat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of a {@link ScheduleFile}, read again when the file changes: a source for
 * {@link Beat#entries(String, Supplier)}. The file is looked at when the beat asks, at most every two seconds, so no
 * thread of its own watches it. A change that does not read (bad YAML, a wrong entry), or a file that vanished, keeps
 * the entries as they were, with one warning per change: a beat never loses its schedule to a half-saved file.
 */
public final class ScheduleFileSource implements Supplier<List<BeatEntry>> {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleFileSource.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

    private final Path file;
    private final ZoneId zone;
    private final long checkNanos;
    private final LongSupplier nanoTime;
    // Guarded by this.
    private List<BeatEntry> entries;
    /** The version of the file last looked at, read or not; null while it is missing. */
    private Version seen;
    private long checkedAt;

    /** The file's modification time and size: an edit within the file system's time granularity changes the size. */
    private record Version(FileTime modified, long size) {
    }

    /**
     * Reads the file now.
     *
     * @param zone the zone of crontab and local clocked times that name none ({@code beat_timezone})
     * @throws IllegalArgumentException when the file is missing or does not read: a beat does not start on a bad file
     */
    public ScheduleFileSource(Path file, ZoneId zone) {
        this(file, zone, CHECK_INTERVAL, System::nanoTime);
    }

    ScheduleFileSource(Path file, ZoneId zone, Duration checkInterval, LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.checkNanos = checkInterval.toNanos();
        this.nanoTime = nanoTime;
        try {
            seen = version();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("beat schedule file not found: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("beat schedule file " + file + " cannot be read: " + e.getMessage(), e);
        }
        entries = List.copyOf(ScheduleFile.read(file, zone));
        checkedAt = nanoTime.getAsLong();
    }

    public Path file() {
        return file;
    }

    /** The entries of the file as last read; reads it again first when it changed since the last look. */
    @Override
    public synchronized List<BeatEntry> get() {
        long now = nanoTime.getAsLong();
        if (now - checkedAt >= checkNanos) {
            checkedAt = now;
            reloadIfChanged();
        }
        return entries;
    }

    private void reloadIfChanged() {
        Version current;
        try {
            current = version();
        } catch (IOException e) {
            if (seen != null) {
                seen = null;
                LOG.warn("Beat: schedule file {} is gone or cannot be looked at ({}); its {} entries stay as they were",
                        file, e.toString(), entries.size());
            }
            return;
        }
        if (current.equals(seen)) {
            return;
        }
        seen = current;
        try {
            entries = List.copyOf(ScheduleFile.read(file, zone));
            LOG.info("Beat: schedule file {} read again: {} entries", file, entries.size());
        } catch (IllegalArgumentException e) {
            LOG.warn("Beat: schedule file {} not applied, the entries stay as they were: {}", file, e.getMessage());
        }
    }

    private Version version() throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Version(a.lastModifiedTime(), a.size());
    }
}
