package org.celeriac.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.celeriac.protocol.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of revoked tasks, which a worker settles unrun, and the threads of the tasks it runs, so that a revoke
 * with {@code terminate} can interrupt one. As Celery's, a revoke is kept for {@link #EXPIRES} and at most
 * {@link #MAX} of them, the oldest going first.
 *
 * <p>A revoke can also name a stamp, as Celery 5.3's {@code revoke_by_stamped_headers}: a header name and value that
 * revoke every task whose message carries that stamp. Those are kept the same way, up to {@link #MAX} of their own.
 *
 * <p>With a state file (Celery's {@code worker_state_db}) revokes of both kinds survive a restart. The file is plain
 * text, one line per revoke, appended and synced as each comes: {@code <epoch millis> <task id>} for an id, and
 * {@code stamp <epoch millis> <stamp>} for a stamp, the stamp ({@code name=value}) percent-encoded in UTF-8 so that
 * any character, spaces and line breaks included, keeps to one word. A file of id lines only, as versions before
 * stamps were kept wrote, reads as it did; such a version skips stamp lines as damaged. The file is rewritten
 * without what expired when opened and whenever it has grown to twice what it keeps. A damaged line is skipped, as
 * is a stamp line a crash cut short (its last, without a line end: a cut value would revoke another one).
 */
final class Revocations {
    private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
    /** Celery's {@code REVOKE_EXPIRES}. */
    static final Duration EXPIRES = Duration.ofSeconds(10_800);
    /** Celery's {@code REVOKES_MAX}. */
    static final int MAX = 50_000;
    /** How a stamp's line in the state file starts; an id's starts with a digit. */
    private static final String STAMP = "stamp ";

    private final Path stateFile;
    private final Duration expires;
    private final int max;
    /** Task id to when it was revoked, oldest first. */
    private final LinkedHashMap<String, Instant> revoked = new LinkedHashMap<>(); // guarded by this
    /** Stamp ({@code name=value}) to when it was revoked, oldest first. */
    private final LinkedHashMap<String, Instant> revokedStamps = new LinkedHashMap<>(); // guarded by this
    private final Map<String, Thread> running = new HashMap<>(); // guarded by this
    /** The stamps of the tasks running, for a terminating revoke by stamp. */
    private final Map<String, Set<String>> runningStamps = new HashMap<>(); // guarded by this
    private final Set<String> terminated = new HashSet<>(); // guarded by this
    private int lines; // in the state file; guarded by this

    private Revocations(Path stateFile, Duration expires, int max) {
        this.stateFile = stateFile;
        this.expires = expires;
        this.max = max;
    }

    /** Revokes kept in memory only, as Celery's without {@code --statedb}. */
    static Revocations inMemory() {
        return new Revocations(null, EXPIRES, MAX);
    }

    /** Revokes kept in {@code stateFile} too: reads it, creating it if need be. */
    static Revocations open(Path stateFile) {
        return open(stateFile, EXPIRES, MAX);
    }

    static Revocations open(Path stateFile, Duration expires, int max) {
        Revocations r = new Revocations(stateFile, expires, max);
        synchronized (r) {
            r.load();
            r.rewrite();
        }
        return r;
    }

    /**
     * Revokes a task. With {@code terminate}, a run of it under way on this worker is interrupted, and ends
     * REVOKED whatever it returns.
     *
     * @return whether a run under way was interrupted
     */
    synchronized boolean revoke(String taskId, boolean terminate) {
        Instant now = Instant.now();
        revoked.remove(taskId); // to the end: the newest
        revoked.put(taskId, now);
        prune(now);
        if (stateFile != null) {
            append(now.toEpochMilli() + " " + taskId, taskId);
        }
        Thread t = terminate ? running.get(taskId) : null;
        if (t == null) {
            return false;
        }
        terminated.add(taskId);
        t.interrupt();
        return true;
    }

    synchronized boolean isRevoked(String taskId) {
        Instant at = revoked.get(taskId);
        return at != null && at.plus(expires).isAfter(Instant.now());
    }

    /**
     * Revokes every task whose message carries the stamp {@code name} with {@code value} (or with a list holding
     * it). With {@code terminate}, the runs of such tasks under way here are interrupted.
     *
     * @return how many runs under way were interrupted
     */
    synchronized int revokeStamped(String name, Object value, boolean terminate) {
        Instant now = Instant.now();
        String stamp = stamp(name, value);
        revokedStamps.remove(stamp);
        revokedStamps.put(stamp, now);
        prune(revokedStamps, now);
        if (stateFile != null) {
            append(stampLine(stamp, now), stamp);
        }
        if (!terminate) {
            return 0;
        }
        int interrupted = 0;
        for (Map.Entry<String, Set<String>> e : runningStamps.entrySet()) {
            if (e.getValue().contains(stamp) && terminated.add(e.getKey())) {
                running.get(e.getKey()).interrupt();
                interrupted++;
            }
        }
        return interrupted;
    }

    /** Whether a task was revoked, by its id or by one of its stamps ({@link #stamps}). */
    synchronized boolean isRevoked(String taskId, Set<String> stamps) {
        if (isRevoked(taskId)) {
            return true;
        }
        Instant now = Instant.now();
        for (String stamp : stamps) {
            Instant at = revokedStamps.get(stamp);
            if (at != null && at.plus(expires).isAfter(now)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a task was revoked, by its id or by a stamp its message carries. */
    boolean isRevoked(TaskMessage task) {
        return isRevoked(task.id(), stamps(task.otherHeaders()));
    }

    /**
     * The stamps a message carries, from its headers as Celery 5.3 writes them: the names in
     * {@code stamped_headers}, the values in the {@code stamps} header (or, from clients that put them there, in a
     * header of that name); a list value is each of its elements.
     */
    static Set<String> stamps(Map<String, Object> headers) {
        if (!(headers.get("stamped_headers") instanceof List<?> names) || names.isEmpty()) {
            return Set.of();
        }
        Map<?, ?> values = headers.get("stamps") instanceof Map<?, ?> m ? m : Map.of();
        Set<String> stamps = new TreeSet<>();
        for (Object n : names) {
            if (!(n instanceof String name)) {
                continue;
            }
            Object value = values.containsKey(name) ? values.get(name) : headers.get(name);
            if (value instanceof List<?> list) {
                list.forEach(v -> stamps.add(stamp(name, v)));
            } else {
                stamps.add(stamp(name, value));
            }
        }
        return stamps;
    }

    /** A stamp as compared: its name and value, numbers by value whatever their Java type. */
    private static String stamp(String name, Object value) {
        String v = value instanceof Number n && !(value instanceof Double d && (d.isNaN() || d.isInfinite()))
                ? new BigDecimal(n.toString()).stripTrailingZeros().toPlainString() : String.valueOf(value);
        return name + '=' + v;
    }

    /** The ids of the tasks revoked and not expired, oldest first (revokes by stamp are not among them). */
    synchronized Set<String> ids() {
        prune(Instant.now());
        return Collections.unmodifiableSet(new LinkedHashSet<>(revoked.keySet()));
    }

    /** How many revokes are kept. */
    synchronized int size() {
        prune(Instant.now());
        return revoked.size();
    }

    /**
     * Notes that the current thread runs a task now, until {@link #finished}. A task revoked after it was last
     * checked and before this is stopped here, as if terminated: a revoke is never lost between the two.
     */
    synchronized void started(String taskId) {
        started(taskId, Set.of());
    }

    /**
     * Called on the pool thread that is about to run a task, so that a terminating revoke, by its id or by one of
     * its stamps, can interrupt it: as {@link #started(String, Set)}.
     */
    void started(TaskMessage task) {
        started(task.id(), stamps(task.otherHeaders()));
    }

    /** {@link #started(String)} for a task with stamps ({@link #stamps}), which a revoke by stamp can terminate. */
    synchronized void started(String taskId, Set<String> stamps) {
        running.put(taskId, Thread.currentThread());
        if (!stamps.isEmpty()) {
            runningStamps.put(taskId, stamps);
        }
        if (isRevoked(taskId, stamps)) {
            terminated.add(taskId);
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a revoke terminated the current thread's run of a task, which has not {@link #finished} yet. */
    synchronized boolean terminating(String taskId) {
        return running.get(taskId) == Thread.currentThread() && terminated.contains(taskId);
    }

    /**
     * Notes that the current thread's run of a task is over: no revoke interrupts it from now on. Idempotent.
     *
     * @return whether it was terminated; then the thread's interrupt is cleared, as it was meant for the task only
     */
    synchronized boolean finished(String taskId) {
        if (running.get(taskId) != Thread.currentThread()) {
            return false;
        }
        running.remove(taskId);
        runningStamps.remove(taskId);
        if (terminated.remove(taskId)) {
            Thread.interrupted();
            return true;
        }
        return false;
    }

    private void prune(Instant now) {
        prune(revoked, now);
    }

    private void prune(LinkedHashMap<String, Instant> revoked, Instant now) {
        Iterator<Map.Entry<String, Instant>> it = revoked.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Instant> e = it.next();
            if (revoked.size() > max || !e.getValue().plus(expires).isAfter(now)) {
                it.remove();
            } else {
                break; // oldest first: the rest are newer
            }
        }
    }

    private void load() {
        if (!Files.exists(stateFile)) {
            return;
        }
        String text;
        try {
            text = Files.readString(stateFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker state file " + stateFile, e);
        }
        List<String> all = text.lines().toList();
        boolean lastCut = !text.isEmpty() && !text.endsWith("\n");
        for (int i = 0; i < all.size(); i++) {
            String line = all.get(i);
            if (line.startsWith(STAMP)) {
                if (!(lastCut && i == all.size() - 1)) {
                    loadStamp(line);
                }
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1) {
                continue;
            }
            try {
                String id = line.substring(space + 1).strip();
                revoked.remove(id);
                revoked.put(id, Instant.ofEpochMilli(Long.parseLong(line.substring(0, space))));
            } catch (NumberFormatException e) {
                LOG.warn("Skipping a damaged line of {}: {}", stateFile, line);
            }
        }
        Instant now = Instant.now();
        prune(now);
        prune(revokedStamps, now);
        LOG.info("{} revoked task(s) and {} revoked stamp(s) read from {}", revoked.size(), revokedStamps.size(),
                stateFile);
    }

    /** Reads a {@code stamp <epoch millis> <stamp>} line. */
    private void loadStamp(String line) {
        String[] words = line.substring(STAMP.length()).strip().split(" ");
        try {
            if (words.length != 2) {
                throw new IllegalArgumentException("not two words");
            }
            Instant at = Instant.ofEpochMilli(Long.parseLong(words[0]));
            String stamp = URLDecoder.decode(words[1], StandardCharsets.UTF_8);
            revokedStamps.remove(stamp);
            revokedStamps.put(stamp, at);
        } catch (IllegalArgumentException e) { // NumberFormatException too, and a broken escape
            LOG.warn("Skipping a damaged line of {}: {}", stateFile, line);
        }
    }

    private static String stampLine(String stamp, Instant at) {
        return STAMP + at.toEpochMilli() + " " + URLEncoder.encode(stamp, StandardCharsets.UTF_8);
    }

    /** Writes what is kept to a new file and puts it in place of the old one. */
    private void rewrite() {
        StringBuilder out = new StringBuilder();
        revoked.forEach((id, at) -> out.append(at.toEpochMilli()).append(' ').append(id).append('\n'));
        revokedStamps.forEach((stamp, at) -> out.append(stampLine(stamp, at)).append('\n'));
        try {
            Path parent = stateFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, stateFile.getFileName().toString(), ".tmp");
            Files.writeString(tmp, out, StandardCharsets.UTF_8, StandardOpenOption.SYNC);
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker state file " + stateFile, e);
        }
        lines = revoked.size() + revokedStamps.size();
    }

    /** Appends a line for a revoke just kept in memory, or rewrites the file with it. */
    private void append(String line, String what) {
        try {
            if (lines >= 2 * Math.max(revoked.size() + revokedStamps.size(), 1_000)) {
                rewrite();
                return;
            }
            Files.writeString(stateFile, line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
            lines++;
        } catch (IOException | UncheckedIOException e) {
            // Revoked in memory all the same; only a restart would forget it.
            LOG.error("Cannot write revoke of {} to {}: {}", what, stateFile, e.getMessage());
        }
    }
}
