package org.celeriac.transport.sql;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import org.celeriac.spi.transport.TransportException;

/**
 * The free disk an embedded (H2 file) database keeps for its workers: a send is refused, with the reason, while the
 * disk holding the database has less free than the reserve. H2 cannot go on in a process where a write met a full
 * disk (only a new process opens the file again), so the queue's own growth must never take the last of it; workers
 * keep acknowledging and storing results from the reserve, which frees space rather than filling it.
 */
final class DiskReserve {
    /** What {@code disk_reserve} (megabytes) is by default. */
    static final long DEFAULT_BYTES = 64L * 1024 * 1024;
    /** How long a reading of the free space is trusted: a send costs no system call of its own. */
    private static final long FRESH_NANOS = 100_000_000L;

    private final Path directory;
    private final long reserve;
    private volatile long usable = Long.MAX_VALUE;
    private volatile long readAt;

    private DiskReserve(Path directory, long reserve) {
        this.directory = directory;
        this.reserve = reserve;
    }

    /** The reserve of the database at {@code jdbcUrl}, or null when it is not an H2 file database or none is kept. */
    static DiskReserve of(Path database, long reserveBytes) {
        return database == null || database.getParent() == null || reserveBytes <= 0 ? null
                : new DiskReserve(database.getParent(), reserveBytes);
    }

    /** Refuses a send of {@code bytes} that would leave less than the reserve free. */
    void check(long bytes) {
        long now = System.nanoTime();
        if (now - readAt > FRESH_NANOS) {
            usable = read();
            readAt = now;
        }
        if (usable - bytes < reserve) {
            throw new TransportException("Not sending: the disk holding " + directory + " has " + mb(usable)
                    + " MB free, less than the " + mb(reserve) + " MB kept for workers to finish their tasks"
                    + " (disk_reserve); free some space");
        }
    }

    private long read() {
        try {
            FileStore store = Files.getFileStore(directory);
            return store.getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // not there yet, or not readable: H2 says what is wrong when it writes
        }
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }
}
