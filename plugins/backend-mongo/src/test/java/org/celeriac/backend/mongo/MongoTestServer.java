package org.celeriac.backend.mongo;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB for one test class: mongo-java-server in this JVM on a free loopback port, speaking MongoDB's wire
 * protocol to the real driver (and to Python's pymongo). No MongoDB server is packaged for Debian.
 */
final class MongoTestServer implements BeforeAllCallback, AfterAllCallback {
    private MongoServer server;
    private InetSocketAddress address;

    /** {@code mongodb://127.0.0.1:port/DATABASE}. */
    String url(String database) {
        return "mongodb://127.0.0.1:" + address.getPort() + "/" + database;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = new MongoServer(new MemoryBackend());
        // One worker thread: mongo-java-server runs each command on its connection's thread without locking the
        // document, so two connections could interleave an $inc's read and write; a real mongod applies each
        // single-document update atomically, which one thread reproduces.
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, 1);
        address = server.getLocalAddress();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.shutdownNow();
    }
}
