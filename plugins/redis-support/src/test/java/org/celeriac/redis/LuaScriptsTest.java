package org.celeriac.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

class LuaScriptsTest {
    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    private static final String INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

    @Test
    void runsTheSameScriptAgainAfterTheServerFlushedItsScriptCache() {
        RedisUrl url = RedisUrl.parse(REDIS.url(), Map.of(), 1);
        LuaScripts scripts = new LuaScripts();
        try (Jedis j = new Jedis(url.address())) {
            j.select(url.db());
            j.del("lua-scripts-test");
            assertEquals(2L, scripts.run(j, INCR, List.of("lua-scripts-test"), List.of("2")));
            assertEquals(5L, scripts.run(j, INCR, List.of("lua-scripts-test"), List.of("3")));
            j.scriptFlush();
            assertEquals(9L, scripts.run(j, INCR, List.of("lua-scripts-test"), List.of("4")));
            assertEquals(10L, scripts.run(j, INCR, List.of("lua-scripts-test"), List.of("1")));
            j.del("lua-scripts-test");
        }
    }
}
