package org.celeriac.backend.memcached;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.TaskResult;

/**
 * The join of a chord on Memcached. The count is Celery's: {@code celery-chord-<group>}, set to 0 as the chord is
 * sent and {@code incr}ed by each member, as Celery's cache backend does, so Celery's workers count in the same key.
 * Celeriac keeps besides each member's outcome ({@code celeriac-chord-<group>.<index>}), the header's size
 * ({@code .s}) and the end ({@code .e}), so the last member hands the body every outcome in header order.
 *
 * <p>A member counts once: it is counted only when its outcome's {@code add} finds no earlier one (a redelivered
 * member replaces its outcome uncounted). The member whose {@code incr} reaches the size reads every outcome; each
 * was added before its own member's {@code incr}, so none is missing. The end is one {@code add}, which only one
 * caller wins.
 */
final class MemcachedChordJoin implements ChordJoin {
    private final MemcachedResultBackend backend;
    private final MemcachedClient client;

    MemcachedChordJoin(MemcachedResultBackend backend) {
        this.backend = backend;
        this.client = backend.client();
    }

    /** Celery's {@code get_key_for_chord}. */
    static String counterKey(String groupId) {
        return "celery-chord-" + groupId;
    }

    private static String key(String groupId, String suffix) {
        return "celeriac-chord-" + groupId + "." + suffix;
    }

    @Override
    public void begin(String groupId, int size, Duration ttl) {
        backend.set(key(groupId, "s"), MemcachedResultBackend.FLAG_INTEGER, Integer.toString(size), ttl,
                "begin chord " + groupId);
        backend.set(counterKey(groupId), MemcachedResultBackend.FLAG_INTEGER, "0", ttl, "begin chord " + groupId);
    }

    @Override
    public Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl) {
        String what = "join member " + index + " of chord " + groupId;
        String memberKey = key(groupId, Integer.toString(index));
        byte[] json = ResultMetaJson.encode(outcome).getBytes(StandardCharsets.UTF_8);
        long exptime = MemcachedResultBackend.exptime(ttl);
        boolean first = client.call(memberKey, what, c -> {
            if (c.store("add", memberKey, MemcachedResultBackend.FLAG_TEXT, exptime, json)) {
                return true;
            }
            c.store("set", memberKey, MemcachedResultBackend.FLAG_TEXT, exptime, json);
            return false;
        });
        String counter = counterKey(groupId);
        long done;
        if (first) {
            done = backend.increment(counter, 1, ttl);
        } else {
            OptionalLong n = number(client.getAll(List.of(counter), what).get(counter));
            done = n.orElse(0);
        }
        Map<String, MemcachedConnection.Value> state = client.getAll(List.of(key(groupId, "s"), key(groupId, "e")),
                what);
        OptionalLong size = number(state.get(key(groupId, "s")));
        if (size.isEmpty() || done < size.getAsLong() || state.containsKey(key(groupId, "e"))) {
            return Optional.empty();
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < size.getAsLong(); i++) {
            keys.add(key(groupId, Integer.toString(i)));
        }
        Map<String, MemcachedConnection.Value> outcomes = client.getAll(keys, what);
        List<TaskResult> all = new ArrayList<>(keys.size());
        for (String k : keys) {
            MemcachedConnection.Value v = outcomes.get(k);
            if (v == null) {
                return Optional.empty(); // evicted or expired: the chord cannot fire from here
            }
            all.add(ResultMetaJson.decode(MemcachedResultBackend.text(v, "An outcome of chord " + groupId), null));
        }
        return Optional.of(all);
    }

    @Override
    public boolean end(String groupId) {
        String ended = key(groupId, "e");
        String what = "end chord " + groupId;
        boolean won = client.call(ended, what, c -> c.store("add", ended, MemcachedResultBackend.FLAG_INTEGER,
                MemcachedResultBackend.exptime(Duration.ofDays(1)), MemcachedResultBackend.number(1)));
        if (won) {
            OptionalLong size = number(client.getAll(List.of(key(groupId, "s")), what).get(key(groupId, "s")));
            for (int i = 0; i < size.orElse(0); i++) {
                String k = key(groupId, Integer.toString(i));
                client.call(k, what, c -> c.delete(k));
            }
            client.call(counterKey(groupId), what, c -> c.delete(counterKey(groupId)));
        }
        return won;
    }

    private static OptionalLong number(MemcachedConnection.Value v) {
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(new String(v.data(), StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
