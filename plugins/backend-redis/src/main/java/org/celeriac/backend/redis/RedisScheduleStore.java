package org.celeriac.backend.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.celeriac.redis.LuaScripts;
import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.RedisTls;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * What beats share, under a key prefix ({@code celeriac.beat.} unless {@code beat_key_prefix} says otherwise):
 * <ul>
 * <li>{@code <prefix>last_runs}: a hash of entry name to its last tick in epoch microseconds; a Lua script raises a
 *     field and never lowers it;</li>
 * <li>{@code <prefix>entries}: a hash of entry name to its JSON definition;</li>
 * <li>{@code <prefix>lease}: the holder, taken with {@code SET NX PX}, renewed and released by Lua scripts that check
 *     the holder. Redis expires it, so the server's clock governs the lease, whatever the beats' clocks say.</li>
 * </ul>
 * Each operation is one command or one script, atomic in Redis.
 */
final class RedisScheduleStore implements ScheduleStore {

    static final String DEFAULT_PREFIX = "celeriac.beat.";
    /** Beat needs few connections: one per operation, from one thread. */
    static final int DEFAULT_MAX_CONNECTIONS = 4;

    /** KEYS[1] the hash, ARGV[1] the entry, ARGV[2] the tick: stored unless an equal or later tick is. */
    private static final String RECORD_RUN = """
            local stored = redis.call('HGET', KEYS[1], ARGV[1])
            if stored and tonumber(stored) >= tonumber(ARGV[2]) then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1""";
    /** KEYS[1] the lease, ARGV[1] the holder, ARGV[2] the ttl in ms: extends it if the holder holds it. */
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    /** KEYS[1] the lease, ARGV[1] the holder: deletes it if the holder holds it. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private final String where;
    private final String lastRunsKey;
    private final String entriesKey;
    private final String leaseKey;
    private final JedisPool pool;
    private final LuaScripts scripts = new LuaScripts();

    RedisScheduleStore(RedisUrl endpoint, String prefix) {
        this.where = endpoint.where();
        this.lastRunsKey = prefix + "last_runs";
        this.entriesKey = prefix + "entries";
        this.leaseKey = prefix + "lease";
        GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(endpoint.maxConnections());
        config.setMaxIdle(endpoint.maxConnections());
        config.setMinIdle(0);
        config.setJmxEnabled(false);
        config.setTestWhileIdle(true);
        config.setTestOnBorrow(true); // only connections idle for a while: see CheckedConnections
        this.pool = new JedisPool(config, new CheckedConnections(endpoint.address(),
                RedisResultBackend.clientConfig(endpoint, RedisTls.of(endpoint), endpoint.socketTimeoutMillis(),
                        "celeriac-beat"), where));
    }

    @Override
    public Map<String, Instant> lastRuns() {
        Map<String, Instant> runs = new TreeMap<>();
        call("read the last runs", j -> j.hgetAll(lastRunsKey))
                .forEach((entry, micros) -> runs.put(entry, fromMicros(Long.parseLong(micros))));
        return runs;
    }

    @Override
    public void recordRun(String entry, Instant at) {
        call("record the run of " + entry,
                j -> script(j, RECORD_RUN, List.of(lastRunsKey), List.of(entry, Long.toString(toMicros(at)))));
    }

    @Override
    public void forgetRun(String entry) {
        call("forget the run of " + entry, j -> j.hdel(lastRunsKey, entry));
    }

    /** Takes a free lease with SET NX PX; when that finds one, renews it if it is the holder's. */
    @Override
    public boolean acquireLease(String holder, Duration ttl) {
        long millis = Math.max(1, ttl.toMillis()); // Redis refuses an expiry of zero
        return call("take the lease for " + holder, j -> {
            if ("OK".equals(j.set(leaseKey, holder, SetParams.setParams().nx().px(millis)))) {
                return true;
            }
            return Long.valueOf(1).equals(script(j, RENEW, List.of(leaseKey), List.of(holder, Long.toString(millis))));
        });
    }

    @Override
    public void releaseLease(String holder) {
        call("release the lease of " + holder, j -> script(j, RELEASE, List.of(leaseKey), List.of(holder)));
    }

    @Override
    public Optional<String> leaseHolder() {
        return Optional.ofNullable(call("read the lease holder", j -> j.get(leaseKey)));
    }

    @Override
    public Map<String, String> entries() {
        Map<String, String> entries = call("read the entries", j -> j.hgetAll(entriesKey));
        return new TreeMap<>(entries);
    }

    @Override
    public void putEntry(String name, String definitionJson) {
        call("put the entry " + name, j -> j.hset(entriesKey, name, definitionJson));
    }

    @Override
    public boolean removeEntry(String name) {
        return call("remove the entry " + name, j -> j.hdel(entriesKey, name)) > 0;
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Redis schedule store at " + where + " (" + leaseKey + ")";
    }

    private interface Command<T> {
        T run(Jedis jedis);
    }

    private <T> T call(String what, Command<T> command) {
        try (Jedis jedis = pool.getResource()) {
            return command.run(jedis);
        } catch (JedisException e) {
            throw new ScheduleStoreException("Cannot " + what + " in Redis at " + where + ": " + RedisTls.explain(e), e);
        }
    }

    private Object script(Jedis j, String source, List<String> keys, List<String> args) {
        return scripts.run(j, source, keys, args);
    }

    static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
