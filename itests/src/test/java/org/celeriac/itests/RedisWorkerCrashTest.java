package org.celeriac.itests;

import java.nio.file.Path;

import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/** Workers on a Redis of the test's own killed mid-stream; what they held comes back after the visibility timeout. */
class RedisWorkerCrashTest extends WorkerCrashContract {
    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @Override
    Setup setUp(Path dir) throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        Jedis results = server.client();
        results.select(1);
        Jedis queues = server.client();
        return new Setup() {
            @Override
            public String broker() {
                return server.url(0) + "?visibility_timeout=5";
            }

            @Override
            public String backend() {
                return server.url(1);
            }

            @Override
            public long storedResults() {
                return results.dbSize();
            }

            @Override
            public long leftOnQueue() {
                return queues.llen(queue()) + queues.hlen("unacked");
            }

            @Override
            public void close() {
                results.close();
                queues.close();
            }
        };
    }
}
