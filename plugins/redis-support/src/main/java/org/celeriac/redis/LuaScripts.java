package org.celeriac.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Runs Lua scripts by their SHA once Redis has them, so that each call sends a digest rather than the script; one per
 * client of a server, since what it remembers is that server's script cache.
 */
public final class LuaScripts {
    private final Map<String, String> shas = new ConcurrentHashMap<>();

    /** EVALSHA, loading the script on first use and after a SCRIPT FLUSH or a failover. */
    public Object run(Jedis j, String source, List<String> keys, List<String> args) {
        String sha = shas.get(source);
        if (sha != null) {
            try {
                return j.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                shas.remove(source);
            }
        }
        shas.put(source, j.scriptLoad(source));
        return j.eval(source, keys, args);
    }

    /**
     * {@link #run} with keys, arguments and replies as bytes: for values that need not be UTF-8 (whatever a producer
     * put on a list), which a reply decoded as text would change.
     */
    public Object runBinary(Jedis j, String source, List<byte[]> keys, List<byte[]> args) {
        String sha = shas.get(source);
        if (sha != null) {
            try {
                return j.evalsha(sha.getBytes(StandardCharsets.US_ASCII), keys, args);
            } catch (JedisNoScriptException e) {
                shas.remove(source);
            }
        }
        shas.put(source, j.scriptLoad(source));
        return j.eval(source.getBytes(StandardCharsets.UTF_8), keys, args);
    }
}
