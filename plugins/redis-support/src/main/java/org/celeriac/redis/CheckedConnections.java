package org.celeriac.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.pool2.PooledObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisFactory;

/**
 * The pool's connections, PINGed before use when they sat idle for a while. A restarted Redis, or its client
 * timeout, leaves dead sockets in the pool that look open until used; unchecked, the first command on each fails:
 * in the transport a send after a restart, an ack (the task runs again); in the backend a result stored after a
 * restart is lost, a read fails. Busy connections are not checked, so they cost nothing. Needs {@code testOnBorrow}.
 *
 * <p>It also says, once, when no new connection can be made, and when one can again.
 */
public final class CheckedConnections extends JedisFactory {

    private static final Logger LOG = LoggerFactory.getLogger(CheckedConnections.class);

    /**
     * Long enough that a busy pool never pings; shorter than a server restart takes in practice. A connection used
     * less than this before Redis went away and came back fails once, as before.
     */
    public static final Duration CHECK_AFTER_IDLE = Duration.ofMillis(250);

    private final String where;
    /** {@link System#nanoTime()} of the first failed connect since the last good one; 0 when none failed. */
    private final AtomicLong failingSince = new AtomicLong();

    /** {@code where} names the server in log messages; never the password (see {@link RedisUrl#where()}). */
    public CheckedConnections(HostAndPort address, JedisClientConfig config, String where) {
        super(address, config);
        this.where = where;
    }

    @Override
    public PooledObject<Jedis> makeObject() throws Exception {
        try {
            PooledObject<Jedis> made = super.makeObject();
            long since = failingSince.getAndSet(0);
            if (since != 0) {
                LOG.info("Connected to Redis at {} again, after {} ms", where, (System.nanoTime() - since) / 1_000_000);
            }
            return made;
        } catch (Exception e) {
            if (failingSince.compareAndSet(0, System.nanoTime())) {
                LOG.warn("Cannot connect to Redis at {} ({}); trying again on the next use", where, RedisTls.explain(e));
            }
            throw e;
        }
    }

    @Override
    public boolean validateObject(PooledObject<Jedis> pooled) {
        if (pooled.getIdleDuration().compareTo(CHECK_AFTER_IDLE) < 0) {
            return true;
        }
        Jedis j = pooled.getObject();
        try {
            return j.isConnected() && "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            LOG.debug("Dropping a dead pooled connection to Redis at {}: {}", where, e.getMessage());
            return false;
        }
    }
}
