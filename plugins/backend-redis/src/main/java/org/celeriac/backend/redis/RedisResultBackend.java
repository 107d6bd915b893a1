package org.celeriac.backend.redis;

import org.celeriac.resultmeta.ResultMetaJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.LuaScripts;
import org.celeriac.redis.RedisTls;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * Task results in Redis the way Celery's Redis result backend keeps them: the JSON meta document under
 * {@code celery-task-meta-<task id>}, set with its expiry and PUBLISHed on a channel of the same name in one
 * MULTI/EXEC, so Python's {@code AsyncResult.get()} and this backend's {@link #await} both hear of it at once.
 *
 * <p>{@link #await} subscribes to the task's channel on one subscriber connection shared by all waiters of this
 * backend ({@link ResultSubscriber}), reads the key once the subscription is confirmed (so no result slips between
 * the read and the subscription), and re-reads now and then as a safety net. Without a subscriber it polls.
 *
 * <p>Chords join in Celery's keys ({@link RedisChordJoin}); saved groups are Celery's {@code celery-taskset-meta-<id>}
 * documents.
 */
final class RedisResultBackend implements ResultBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RedisResultBackend.class);

    static final String KEY_PREFIX = "celery-task-meta-";
    static final String GROUP_KEY_PREFIX = "celery-taskset-meta-";
    /** The pool size without {@code max_connections}. */
    static final int DEFAULT_MAX_CONNECTIONS = 16;

    /** How often a waiter re-reads the key even when subscribed, in case a message was lost (reconnect). */
    private static final long RECHECK_MILLIS = 1000;

    private final RedisUrl endpoint;
    /** {@code host:port/db}, for messages: never the password. */
    private final String where;
    private final JedisPool pool;
    private final ResultSubscriber subscriber;
    private final ChordJoin join;

    RedisResultBackend(RedisUrl endpoint) {
        this.endpoint = endpoint;
        this.where = endpoint.where();
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(endpoint.maxConnections());
        config.setMaxIdle(endpoint.maxConnections());
        config.setMinIdle(0);
        config.setJmxEnabled(false);
        config.setTestWhileIdle(true);
        config.setTestOnBorrow(true); // only connections idle for a while: see CheckedConnections
        RedisTls tls = RedisTls.of(endpoint); // files read once, here
        this.pool = new JedisPool(config, new CheckedConnections(endpoint.address(),
                clientConfig(endpoint, tls, endpoint.socketTimeoutMillis(), "celeriac-backend"), where));
        this.subscriber = new ResultSubscriber(endpoint, tls);
        this.join = new RedisChordJoin(pool, new LuaScripts(), where);
    }

    /** Client settings; {@code socketTimeout} 0 blocks forever; {@code tls} null for none. */
    static JedisClientConfig clientConfig(RedisUrl endpoint, RedisTls tls, int socketTimeout, String clientName) {
        return clientConfig(endpoint, tls, socketTimeout, 0, clientName);
    }

    /**
     * Client settings with a timeout for blocking reads too (a subscription's): jedis's default, 0, waits forever,
     * even on a connection that went silent.
     */
    static JedisClientConfig clientConfig(RedisUrl endpoint, RedisTls tls, int socketTimeout,
                                          int blockingSocketTimeout, String clientName) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder();
        if (tls != null) {
            tls.applyTo(b);
        }
        b.database(endpoint.db()).socketTimeoutMillis(socketTimeout)
                .blockingSocketTimeoutMillis(blockingSocketTimeout)
                .connectionTimeoutMillis(endpoint.connectTimeoutMillis()).clientName(clientName);
        if (endpoint.password() != null) {
            b.password(endpoint.password());
            if (endpoint.user() != null) {
                b.user(endpoint.user());
            }
        }
        return b.build();
    }

    static String key(String taskId) {
        return KEY_PREFIX + taskId;
    }

    static String groupKey(String groupId) {
        return GROUP_KEY_PREFIX + groupId;
    }

    @Override
    public void store(TaskResult result, Duration ttl) {
        write(List.of(result), ttl, "store the result of task " + result.taskId());
    }

    /**
     * One round trip for the lot: every result's SET and PUBLISH in one MULTI/EXEC (jedis pipelines a
     * transaction), so a reader never sees a result without its notification having been sent, as with
     * {@link #store}.
     */
    @Override
    public void storeAll(Collection<TaskResult> results, Duration ttl) {
        if (!results.isEmpty()) {
            write(results, ttl, "store " + results.size() + " result(s)");
        }
    }

    /** Each result's SET (with its expiry) and PUBLISH, all in one MULTI/EXEC. */
    private void write(Collection<TaskResult> results, Duration ttl, String what) {
        List<String[]> encoded = new ArrayList<>(results.size());
        for (TaskResult r : results) {
            encoded.add(new String[] {key(r.taskId()), ResultMetaJson.encode(r)});
        }
        write(encoded, ttl, what);
    }

    /** Each {key, value}'s SET (with its expiry) and PUBLISH, all in one MULTI/EXEC, as Celery's {@code set}. */
    private void write(List<String[]> encoded, Duration ttl, String what) {
        try (Jedis jedis = pool.getResource()) {
            Transaction tx = jedis.multi();
            for (String[] e : encoded) {
                if (ttl == null) {
                    tx.set(e[0], e[1]);
                } else {
                    tx.set(e[0], e[1], SetParams.setParams().ex(seconds(ttl)));
                }
                tx.publish(e[0], e[1]);
            }
            check(tx.exec(), what);
        } catch (JedisException e) {
            throw failure(what, e);
        }
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        String json;
        try (Jedis jedis = pool.getResource()) {
            json = jedis.get(key(taskId));
        } catch (JedisException e) {
            throw failure("read the result of task " + taskId, e);
        }
        return json == null ? Optional.empty() : Optional.of(ResultMetaJson.decode(json, taskId));
    }

    @Override
    public Optional<TaskResult> await(String taskId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ResultSubscriber.Waiter waiter;
        try {
            waiter = subscriber.watch(key(taskId), Math.max(1, Math.min(timeout.toMillis(), 5000)));
        } catch (RuntimeException e) {
            LOG.debug("No subscription on {} for task {}, polling: {}", where, taskId, e.toString());
            return ResultBackend.super.await(taskId, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        try {
            while (true) {
                Optional<TaskResult> now = get(taskId);
                if (now.isPresent() && now.get().state().isReady()) {
                    return now;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                CompletableFuture<String> message = waiter.next();
                try {
                    String json = message.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS)),
                            TimeUnit.NANOSECONDS);
                    TaskResult published = ResultMetaJson.decode(json, taskId);
                    if (published.state().isReady()) {
                        return Optional.of(published);
                    }
                } catch (TimeoutException e) {
                    // re-read the key below: the safety net for a message lost in a reconnect
                } catch (ExecutionException e) {
                    // the subscriber went away: poll for the rest of the time
                    LOG.debug("Subscriber on {} failed while awaiting task {}, polling: {}", where, taskId,
                            e.getCause().toString());
                    return ResultBackend.super.await(taskId,
                            Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                }
            }
        } finally {
            waiter.close();
        }
    }

    @Override
    public void forget(String taskId) {
        try (Jedis jedis = pool.getResource()) {
            jedis.del(key(taskId));
        } catch (JedisException e) {
            throw failure("forget the result of task " + taskId, e);
        }
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        try (Jedis jedis = pool.getResource()) {
            Transaction tx = jedis.multi();
            Response<Long> value = tx.incrBy(key, delta);
            if (ttl != null) {
                tx.expire(key, seconds(ttl));
            }
            check(tx.exec(), "increment " + key);
            return value.get();
        } catch (JedisException e) {
            throw failure("increment " + key, e);
        }
    }

    @Override
    public Optional<ChordJoin> chordJoin() {
        return Optional.of(join);
    }

    /**
     * The document Celery's {@code _save_group} writes: {@code {"result": [[group id, null], members]}} and nothing
     * else (no status, no date), SET and PUBLISHed as it does every value, so Python's {@code GroupResult.restore}
     * reads it. A chord's header saved under the chord's group id sends Celery's {@code on_chord_part_return} to
     * join the members' stored results rather than the outcomes in the join.
     */
    @Override
    public void saveGroup(String groupId, List<Object> members, Duration ttl) {
        write(Collections.singletonList(new String[] {groupKey(groupId), ResultMetaJson.encodeGroup(groupId, members)}),
                ttl, "save group " + groupId);
    }

    @Override
    public Optional<List<Object>> restoreGroup(String groupId) {
        String json;
        try (Jedis jedis = pool.getResource()) {
            json = jedis.get(groupKey(groupId));
        } catch (JedisException e) {
            throw failure("restore group " + groupId, e);
        }
        if (json == null) {
            return Optional.empty();
        }
        return Optional.of(ResultMetaJson.decodeGroup(json, groupId));
    }

    @Override
    public void forgetGroup(String groupId) {
        try (Jedis jedis = pool.getResource()) {
            jedis.del(groupKey(groupId));
        } catch (JedisException e) {
            throw failure("forget group " + groupId, e);
        }
    }

    @Override
    public void close() {
        subscriber.close();
        pool.close();
    }

    /** Whole seconds, rounded up, at least one (Redis refuses an expiry of zero). */
    static long seconds(Duration ttl) {
        long millis = Math.max(0, ttl.toMillis());
        return Math.max(1, (millis + 999) / 1000);
    }

    private void check(List<Object> replies, String what) {
        if (replies == null) {
            throw new BackendException("Redis at " + where + " discarded the transaction to " + what);
        }
        for (Object reply : replies) {
            if (reply instanceof Exception e) {
                throw failure(what, e);
            }
        }
    }

    private BackendException failure(String what, Exception e) {
        return new BackendException("Cannot " + what + " in Redis at " + where + ": " + RedisTls.explain(e), e);
    }
}
