package org.celeriac.itests;

import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/** The chord contract on a real {@code redis-server}: broker on database 0, results and chord joins on 1. */
class RedisChordCrashTest extends ChordCrashContract {

    // Registered first, so that after each test its server stops last, once the processes using it are gone.
    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    private String broker;
    private String backend;
    private Jedis queues;

    @Override
    Celeriac openClient() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        broker = server.url(0) + "?visibility_timeout=" + VISIBILITY_TIMEOUT;
        backend = server.url(1);
        queues = server.client();
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker, Settings.RESULT_BACKEND, backend)));
    }

    @Override
    List<String> connection() {
        return List.of("--broker", broker, "--backend", backend);
    }

    /** The queue's list (no priorities are sent here) and kombu's {@code unacked} hash of messages given out. */
    @Override
    long messagesLeft() {
        return queues.llen("celery") + queues.hlen("unacked");
    }

    @AfterEach
    void closeClient() {
        if (queues != null) {
            queues.close();
        }
    }
}
