package org.celeriac.itests;

import java.nio.file.Path;

import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * Workers on RabbitMQ killed mid-stream: RabbitMQ gives back what a worker held unacked when its connection drops.
 * On the node of {@code CELERIAC_TEST_AMQP_URL}, the queue deleted before and after; results on a Redis of its own.
 */
class AmqpWorkerCrashTest extends WorkerCrashContract {
    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @Override
    Setup setUp(Path dir) throws Exception {
        String broker = RabbitMqServers.environmentUrl();
        RabbitMqServers.deleteQueue(broker, queue());
        Server server = servers.redis(dir.resolve("redis"), false);
        Jedis results = server.client();
        results.select(1);
        return new Setup() {
            @Override
            public String broker() {
                return broker;
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
            public long leftOnQueue() throws Exception {
                return RabbitMqServers.passiveDeclare(broker, queue()).getMessageCount();
            }

            @Override
            public void close() throws Exception {
                results.close();
                RabbitMqServers.deleteQueue(broker, queue());
            }
        };
    }
}
