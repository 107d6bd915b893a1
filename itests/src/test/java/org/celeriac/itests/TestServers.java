package org.celeriac.itests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers a test starts for itself, each on a loopback port of its own, and the partitions between them and
 * their clients. After each test it heals and closes the partitions, prints the servers' logs when the test
 * failed, and kills and removes the servers. Register it before the processes that use the servers
 * ({@code @Order(1)}), so that it runs after them.
 */
final class TestServers implements AfterEachCallback {
    private final List<TestServer> servers = new ArrayList<>();
    private final List<PartitionProxy> partitions = new ArrayList<>();

    /** A {@code redis-server} keeping its data in {@code dir}; persistent: an append-only file synced on each write. */
    RedisServers.Server redis(Path dir, boolean persistent) throws Exception {
        return add(RedisServers.start(dir, persistent, this::taken));
    }

    /** The same, wanting {@code password} (and an ACL user {@code celeriac} with it). */
    RedisServers.Server redis(Path dir, boolean persistent, String password) throws Exception {
        return add(RedisServers.start(dir, persistent, password, this::taken));
    }

    /** A RabbitMQ node keeping its data in {@code dir} (it takes three ports: AMQP's and the next two). */
    RabbitMqServers.Server rabbitMq(Path dir) throws Exception {
        return add(RabbitMqServers.start(dir, this::taken));
    }

    /** A PostgreSQL server with its data in a directory of its own, removed after the test. */
    PostgresServers.Server postgres() throws Exception {
        return postgres("");
    }

    /** The same, with {@code serverOptions} added to the server's ({@code -c ssl=on ...}). */
    PostgresServers.Server postgres(String serverOptions) throws Exception {
        return add(PostgresServers.start(serverOptions, this::taken));
    }

    /**
     * A proxy in front of {@code server}: clients given its port instead of the server's can be cut off from it
     * ({@link PartitionProxy#partition()}) and let through again ({@link PartitionProxy#heal()}).
     */
    PartitionProxy partitionable(TestServer server) throws Exception {
        PartitionProxy proxy = PartitionProxy.start("127.0.0.1", server.port());
        partitions.add(proxy);
        return proxy;
    }

    private <S extends TestServer> S add(S server) {
        servers.add(server);
        return server;
    }

    /** Whether a port is one of these servers', which may be down for now and so look free. */
    private boolean taken(int port) {
        return servers.stream().anyMatch(s -> port >= s.port() && port <= s.port() + 2);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (PartitionProxy p : partitions) {
            p.close();
        }
        partitions.clear();
        for (TestServer s : servers) {
            if (context.getExecutionException().isPresent()) {
                s.printLog();
            }
            s.kill();
            s.remove();
        }
        servers.clear();
    }
}
