package org.celeriac.backend.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.celeriac.redis.LuaScripts;
import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * The join of a chord in the keys Celery 5.2's Redis backend uses ({@code on_chord_part_return} with
 * {@code result_chord_ordered}, its default), so that Celery's workers and Celeriac's can run members of one header:
 * <ul>
 * <li>{@code celery-taskset-meta-<group>.j}, a sorted set of each member's outcome, JSON {@code [1, id, state,
 * result]}, scored by its index in the header, so reading it back gives header order;</li>
 * <li>{@code <...>.s}, the header's size, and {@code <...>.t}, an optional number added to it (Celery's
 * {@code add_to_chord} counts tasks a member added there).</li>
 * </ul>
 * The chord fires when the set holds size + added members; that is one script, so among several workers only the one
 * whose member completed the set sees it full (until the join ends).
 */
final class RedisChordJoin implements ChordJoin {

    private static final Logger LOG = LoggerFactory.getLogger(RedisChordJoin.class);

    /**
     * KEYS: .j, .t, .s; ARGV: the member's index, its outcome, the expiry in seconds or "" for none. Celery's
     * pipeline ZADD, ZCOUNT, GET .t, GET .s, EXPIRE x3, plus a ZREMRANGEBYSCORE first: a redelivered member's outcome
     * may differ from its first (another result, another worker's JSON), and as a second entry it would push the
     * count past the size, where Celery's {@code ==} never fires. Unlike Celery it also answers the members at once
     * when the set is full, so the last member needs no second round trip, and no other member can slip in between.
     * The member is added even before {@code .s} exists: Celery sets the size only as it sends the last header task,
     * after the others may have finished.
     */
    static final String MEMBER_DONE = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            local ready = redis.call('ZCARD', KEYS[1])
            local added = redis.call('GET', KEYS[2])
            local size = redis.call('GET', KEYS[3])
            if ARGV[3] ~= '' then
              redis.call('EXPIRE', KEYS[1], ARGV[3])
              redis.call('EXPIRE', KEYS[2], ARGV[3])
              redis.call('EXPIRE', KEYS[3], ARGV[3])
            end
            if size and ready == tonumber(size) + (tonumber(added) or 0) then
              return redis.call('ZRANGE', KEYS[1], 0, -1)
            end
            return false
            """;

    private final JedisPool pool;
    private final LuaScripts scripts;
    private final String where;

    RedisChordJoin(JedisPool pool, LuaScripts scripts, String where) {
        this.pool = pool;
        this.scripts = scripts;
        this.where = where;
    }

    static String key(String groupId, String suffix) {
        return RedisResultBackend.groupKey(groupId) + suffix;
    }

    @Override
    public void begin(String groupId, int size, Duration ttl) {
        SetParams params = SetParams.setParams();
        if (ttl != null) {
            params.ex(RedisResultBackend.seconds(ttl));
        }
        try (Jedis jedis = pool.getResource()) {
            jedis.set(key(groupId, ".s"), Integer.toString(size), params);
        } catch (JedisException e) {
            throw failure("begin the join of chord " + groupId, e);
        }
    }

    @Override
    public Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl) {
        // Celery's encode_result has already happened: a failed member's result is the exception in Celery's form.
        String member = ResultMetaJson.encodeValue(
                Arrays.asList(1, outcome.taskId(), outcome.state().name(), outcome.result()),
                "the outcome of task " + outcome.taskId());
        List<String> keys = List.of(key(groupId, ".j"), key(groupId, ".t"), key(groupId, ".s"));
        List<String> args = List.of(Integer.toString(index), member,
                ttl == null ? "" : Long.toString(RedisResultBackend.seconds(ttl)));
        Object reply;
        try (Jedis jedis = pool.getResource()) {
            reply = scripts.run(jedis, MEMBER_DONE, keys, args);
        } catch (JedisException e) {
            throw failure("record member " + index + " of chord " + groupId, e);
        }
        if (!(reply instanceof List<?> members)) {
            return Optional.empty();
        }
        List<TaskResult> outcomes = new ArrayList<>(members.size());
        for (Object m : members) {
            outcomes.add(decode(groupId, String.valueOf(m)));
        }
        LOG.debug("Chord {} complete with member {}: {} outcome(s)", groupId, index, outcomes.size());
        return Optional.of(List.copyOf(outcomes));
    }

    /** One member of the set, {@code [1, id, state, result]}, as Celery's {@code _unpack_chord_result} reads it. */
    private static TaskResult decode(String groupId, String json) {
        String what = "A member of chord " + groupId;
        if (!(ResultMetaJson.decodeValue(json, what) instanceof List<?> t) || t.size() < 4
                || !(t.get(1) instanceof String id) || !(t.get(2) instanceof String state)) {
            throw new BackendException(what + " is not [1, task id, state, result]: " + json);
        }
        return new TaskResult(id, state(state, id, groupId), t.get(3), null, List.of(), null, Map.of());
    }

    /**
     * A state Celery never passes to a chord (a custom one) Celery hands on to the body as a plain value, neither
     * an exception nor a failure of the chord: SUCCESS says the same here.
     */
    private static TaskState state(String name, String taskId, String groupId) {
        try {
            return TaskState.valueOf(name);
        } catch (IllegalArgumentException e) {
            LOG.warn("Member {} of chord {} ended in state {} unknown here; its result is passed on as a value",
                    taskId, groupId, name);
            return TaskState.SUCCESS;
        }
    }

    /**
     * Deletes the three keys in one MULTI; whoever's DEL removed the size ended the join. Celery deletes the same
     * keys once its body is sent, so a join Celery ended ends here too.
     */
    @Override
    public boolean end(String groupId) {
        try (Jedis jedis = pool.getResource()) {
            Transaction tx = jedis.multi();
            Response<Long> size = tx.del(key(groupId, ".s"));
            tx.del(key(groupId, ".j"), key(groupId, ".t"));
            List<Object> replies = tx.exec();
            if (replies == null) {
                throw new BackendException("Redis at " + where + " discarded the transaction to end chord " + groupId);
            }
            return size.get() == 1;
        } catch (JedisException e) {
            throw failure("end the join of chord " + groupId, e);
        }
    }

    private BackendException failure(String what, Exception e) {
        return new BackendException("Cannot " + what + " in Redis at " + where + ": " + e.getMessage(), e);
    }
}
