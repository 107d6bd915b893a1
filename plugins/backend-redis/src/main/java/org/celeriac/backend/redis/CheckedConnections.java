package org.celeriac.backend.redis;

import java.time.Duration;

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
 * a result stored after a restart is lost, a read fails. Busy connections are not checked, so they cost nothing.
 * Needs {@code testOnBorrow}.
 */
final class CheckedConnections extends JedisFactory {

    private static final Logger LOG = LoggerFactory.getLogger(CheckedConnections.class);

    /** Shorter than any server restart, long enough that a busy pool never pings. */
    static final Duration CHECK_AFTER_IDLE = Duration.ofMillis(250);

    private final String where;

    CheckedConnections(HostAndPort address, JedisClientConfig config, String where) {
        super(address, config);
        this.where = where;
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
