package org.celeriac.backend.memcached;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;

/**
 * Task results on Memcached as Celery's cache backend keeps them through pylibmc: the JSON meta document under
 * {@code celery-task-meta-<task id>} with pylibmc's flag for text, expiring with the result's time to live; saved
 * groups under {@code celery-taskset-meta-<group id>}; counters by {@code incr}. Python's Celery reads what this
 * writes and the other way round, on one server or several ({@link ModulaDistribution}).
 *
 * <p>What memcached cannot do: list keys, or wait for a key (results are polled, as Celery polls them here), and keep
 * anything for sure (it evicts under memory pressure, and loses all on restart; Celery's cache backend is the same).
 */
final class MemcachedResultBackend implements ResultBackend {
    static final String KEY_PREFIX = "celery-task-meta-";
    static final String GROUP_KEY_PREFIX = "celery-taskset-meta-";
    /** pylibmc's flags: a value stored from a Python {@code str} */
    static final int FLAG_TEXT = 1 << 4;
    /** ... from an {@code int}, as Celery's chord counter starts */
    static final int FLAG_INTEGER = 1 << 2;
    static final int FLAG_PICKLE = 1;
    static final int FLAG_ZLIB = 1 << 3;
    /** memcached reads an expiry beyond 30 days as a Unix time. */
    private static final long RELATIVE_EXPIRY_LIMIT = 60L * 60 * 24 * 30;

    private final MemcachedClient client;
    private final MemcachedChordJoin join;

    MemcachedResultBackend(MemcachedUrl url) {
        this.client = new MemcachedClient(url);
        this.join = new MemcachedChordJoin(this);
    }

    MemcachedClient client() {
        return client;
    }

    static String key(String taskId) {
        return KEY_PREFIX + taskId;
    }

    @Override
    public void store(TaskResult result, Duration ttl) {
        set(key(result.taskId()), FLAG_TEXT, ResultMetaJson.encode(result), ttl,
                "store the result of task " + result.taskId());
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        MemcachedConnection.Value v = client.call(key(taskId), "read the result of task " + taskId,
                c -> c.get(List.of(key(taskId))).get(key(taskId)));
        return v == null ? Optional.empty()
                : Optional.of(ResultMetaJson.decode(text(v, "The result of task " + taskId), taskId));
    }

    @Override
    public void forget(String taskId) {
        client.call(key(taskId), "forget task " + taskId, c -> c.delete(key(taskId)));
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        String what = "increment " + key;
        long value = client.call(key, what, c -> {
            for (int attempt = 0; attempt < 10; attempt++) {
                OptionalLong n = c.incr(key, delta);
                if (n.isPresent()) {
                    return n.getAsLong();
                }
                // memcached's incr needs the key there: start it at the delta unless another client just did
                if (c.store("add", key, FLAG_INTEGER, exptime(ttl), number(Math.max(0, delta)))) {
                    return Math.max(0, delta);
                }
            }
            throw new BackendException("Memcached at " + client.where() + ": " + key + " kept vanishing; cannot "
                    + what);
        });
        if (ttl != null) {
            client.call(key, what, c -> c.touch(key, exptime(ttl)));
        }
        return value;
    }

    @Override
    public Optional<ChordJoin> chordJoin() {
        return Optional.of(join);
    }

    /** Celery's {@code _save_group} document ({@link ResultMetaJson#encodeGroup}), as the Redis backend keeps it. */
    @Override
    public void saveGroup(String groupId, List<Object> members, Duration ttl) {
        set(GROUP_KEY_PREFIX + groupId, FLAG_TEXT, ResultMetaJson.encodeGroup(groupId, members), ttl,
                "save group " + groupId);
    }

    @Override
    public Optional<List<Object>> restoreGroup(String groupId) {
        String key = GROUP_KEY_PREFIX + groupId;
        MemcachedConnection.Value v = client.call(key, "restore group " + groupId, c -> c.get(List.of(key)).get(key));
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(ResultMetaJson.decodeGroup(text(v, "The saved group " + groupId), groupId));
    }

    @Override
    public void forgetGroup(String groupId) {
        String key = GROUP_KEY_PREFIX + groupId;
        client.call(key, "forget group " + groupId, c -> c.delete(key));
    }

    @Override
    public void close() {
        client.close();
    }

    void set(String key, int flags, String value, Duration ttl, String what) {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        client.call(key, what, c -> c.store("set", key, flags, exptime(ttl), data));
    }

    /** memcached's expiry for a time to live: none for null, whole seconds rounded up, a Unix time past 30 days. */
    static long exptime(Duration ttl) {
        if (ttl == null) {
            return 0;
        }
        long seconds = Math.max(1, (Math.max(0, ttl.toMillis()) + 999) / 1000);
        return seconds <= RELATIVE_EXPIRY_LIMIT ? seconds : System.currentTimeMillis() / 1000 + seconds;
    }

    static byte[] number(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** A value as text: pylibmc's text or bytes, inflated if pylibmc compressed it; never a pickle. */
    static String text(MemcachedConnection.Value v, String what) {
        if ((v.flags() & FLAG_PICKLE) != 0) {
            throw new BackendException(what + " was stored pickled (pylibmc's flag 1), which Celeriac never reads:"
                    + " store results as JSON (result_serializer = 'json')");
        }
        byte[] data = v.data();
        if ((v.flags() & FLAG_ZLIB) != 0) {
            data = inflate(data, what);
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    private static byte[] inflate(byte[] data, String what) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length * 4);
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new BackendException(what + " is cut short (zlib)");
                }
                out.write(chunk, 0, n);
                if (out.size() > 64 * 1024 * 1024) {
                    throw new BackendException(what + " inflates past 64 MB; not read");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new BackendException(what + " is flagged compressed but is not zlib: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
