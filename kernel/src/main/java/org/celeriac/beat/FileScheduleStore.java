package org.celeriac.beat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The schedule store in one JSON file, for beats on one machine:
 * <pre>{@code {"lastRuns": {"nightly": "2026-11-25T00:00:00Z"},
 *  "entries": {"add": {"task": "demo.add", "schedule": 30.0}},
 *  "lease": {"holder": "beat@host", "expires": "2026-11-25T11:41:37.668Z"}}}</pre>
 *
 * <p>Every change holds an exclusive lock on the sibling {@code <file>.lock} while it reads the file, changes it and
 * writes it to {@code <file>.tmp}, which then replaces the file in one atomic move: a process killed at any point
 * leaves the old file or the new one, never a torn one. Reads take no lock for that reason. Lease expiry is counted
 * on this machine's clock, which every process on it shares.
 */
final class FileScheduleStore implements ScheduleStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileScheduleStore.class);

    private static final String LAST_RUNS = "lastRuns";
    private static final String ENTRIES = "entries";
    private static final String LEASE = "lease";
    private static final String HOLDER = "holder";
    private static final String EXPIRES = "expires";
    private static final long MAX_LOCK_PAUSE_MILLIS = 20;

    private final Path file;
    private final Path lockFile;
    private final Path tempFile;
    private final Clock clock;
    private final ObjectMapper mapper;
    /** This instance's threads take turns here, so that only other instances and processes contend for the file. */
    private final ReentrantLock turns = new ReentrantLock();
    private volatile boolean closed;

    FileScheduleStore(Path file, Clock clock, ObjectMapper mapper) {
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
        this.tempFile = file.resolveSibling(file.getFileName() + ".tmp");
        this.clock = clock;
        this.mapper = mapper;
    }

    @Override
    public Map<String, Instant> lastRuns() {
        Map<String, Instant> runs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : read("read the last runs").path(LAST_RUNS).properties()) {
            runs.put(f.getKey(), instant(f.getValue()));
        }
        return runs;
    }

    @Override
    public void recordRun(String entry, Instant at) {
        change("record the run of " + entry, root -> {
            ObjectNode runs = root.withObjectProperty(LAST_RUNS);
            JsonNode stored = runs.get(entry);
            if (stored != null && !instant(stored).isBefore(at)) {
                return false;
            }
            runs.put(entry, at.toString());
            return true;
        });
    }

    @Override
    public void forgetRun(String entry) {
        change("forget the run of " + entry, root -> root.withObjectProperty(LAST_RUNS).remove(entry) != null);
    }

    @Override
    public boolean acquireLease(String holder, Duration ttl) {
        return change("take the lease for " + holder, root -> {
            Instant now = clock.instant();
            JsonNode lease = root.path(LEASE);
            if (lease.isObject() && !holder.equals(lease.path(HOLDER).asText())
                    && instant(lease.path(EXPIRES)).isAfter(now)) {
                return false;
            }
            root.putObject(LEASE).put(HOLDER, holder).put(EXPIRES, now.plus(ttl).toString());
            return true;
        });
    }

    @Override
    public void releaseLease(String holder) {
        change("release the lease of " + holder, root -> {
            if (!holder.equals(root.path(LEASE).path(HOLDER).asText(null))) {
                return false;
            }
            root.remove(LEASE);
            return true;
        });
    }

    @Override
    public Optional<String> leaseHolder() {
        JsonNode lease = read("read the lease holder").path(LEASE);
        if (!lease.isObject() || !instant(lease.path(EXPIRES)).isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(lease.path(HOLDER).asText());
    }

    @Override
    public Map<String, String> entries() {
        Map<String, String> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : read("read the entries").path(ENTRIES).properties()) {
            entries.put(f.getKey(), f.getValue().toString());
        }
        return entries;
    }

    /**
     * The definition is kept as JSON in the file, not as a string in it, so that the file reads well.
     *
     * @throws IllegalArgumentException when the definition is not JSON
     */
    @Override
    public void putEntry(String name, String definitionJson) {
        JsonNode definition;
        try {
            definition = mapper.readTree(definitionJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The definition of entry " + name + " is not JSON: "
                    + e.getOriginalMessage(), e);
        }
        change("put the entry " + name, root -> {
            root.withObjectProperty(ENTRIES).set(name, definition);
            return true;
        });
    }

    @Override
    public boolean removeEntry(String name) {
        return change("remove the entry " + name, root -> root.withObjectProperty(ENTRIES).remove(name) != null);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "file schedule store " + file;
    }

    /** A change to the file's contents; says whether it changed anything (and so whether to write). */
    private interface Change {
        boolean apply(ObjectNode root);
    }

    /** Applies the change under the lock and writes the file if it changed; returns what the change said. */
    private boolean change(String what, Change change) {
        ensureOpen();
        turns.lock();
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockAcross(lockChannel)) {
            ObjectNode root = readFile();
            boolean changed = change.apply(root);
            if (changed) {
                writeFile(root);
            }
            return changed;
        } catch (IOException e) {
            throw failure(what, e);
        } finally {
            turns.unlock();
        }
    }

    /**
     * {@link FileChannel#lock()} waits while another process holds the lock, but throws at once while another
     * instance in this JVM does (file locks belong to the whole JVM), so that case is waited out here.
     */
    private static FileLock lockAcross(FileChannel channel) throws IOException {
        long pause = 1;
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the lock");
                }
                pause = Math.min(pause * 2, MAX_LOCK_PAUSE_MILLIS);
            }
        }
    }

    private ObjectNode read(String what) {
        ensureOpen();
        try {
            return readFile();
        } catch (IOException e) {
            throw failure(what, e);
        }
    }

    private ObjectNode readFile() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return mapper.createObjectNode();
        }
        if (bytes.length == 0) {
            return mapper.createObjectNode();
        }
        JsonNode root = mapper.readTree(bytes);
        if (!(root instanceof ObjectNode object)) {
            throw new IOException("not a schedule store: its JSON is no object");
        }
        return object;
    }

    /** Written in full to the temp file and flushed to disk before it replaces the file. */
    private void writeFile(ObjectNode root) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try (FileChannel out = FileChannel.open(tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(tempFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.trace("Wrote {}", file);
    }

    private static Instant instant(JsonNode value) {
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            // a hand-edited file; treat it as long ago, so that the next record or lease replaces it
            return Instant.EPOCH;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The schedule store " + file + " is closed");
        }
    }

    private ScheduleStoreException failure(String what, IOException e) {
        return new ScheduleStoreException("Cannot " + what + " in " + file + ": " + e.getMessage(), e);
    }
}
