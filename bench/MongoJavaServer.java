import java.net.InetSocketAddress;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The MongoDB of bench/run-backend mongo: mongo-java-server with its in-memory backend, in a JVM of its own, on
 * 127.0.0.1 only. No MongoDB server is packaged for Debian; this is the emulator the backend-mongo tests use, and
 * it is set up as they set it up (one boss thread, one worker thread: one command at a time, as the tests need for
 * an atomic $inc). Its speed says nothing about a real MongoDB's; it serves both sides alike.
 *
 * <pre>
 *   MongoJavaServer PORT     listens on 127.0.0.1:PORT until the process is stopped (SIGTERM)
 * </pre>
 */
public final class MongoJavaServer {
    public static void main(String[] a) throws InterruptedException {
        int port = Integer.parseInt(a[0]);
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind(new InetSocketAddress("127.0.0.1", port), 1, 1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-shutdown"));
        System.out.println("mongo-java-server listening on " + server.getLocalAddress());
        Thread.currentThread().join();
    }
}
