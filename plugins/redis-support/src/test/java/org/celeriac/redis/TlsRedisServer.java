package org.celeriac.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@code redis-server} of a test class's own that speaks TLS only ({@code --port 0}), on a free loopback port, its
 * certificate signed by a CA made for it ({@link TestCertificates}) for {@code localhost} and {@code 127.0.0.1}; it
 * also listens on {@code 127.0.0.2}, an address its certificate does not name. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final TlsRedisServer REDIS = new TlsRedisServer(false);}</pre>
 */
public final class TlsRedisServer implements BeforeAllCallback, AfterAllCallback {
    private final boolean requireClientCertificates;
    private final List<String> extraArguments;
    private Path dir;
    private TestCertificates certificates;
    private Process process;
    private int port;

    /** @param requireClientCertificates {@code --tls-auth-clients yes}, else {@code no} */
    public TlsRedisServer(boolean requireClientCertificates, String... extraArguments) {
        this.requireClientCertificates = requireClientCertificates;
        this.extraArguments = List.of(extraArguments);
    }

    /** {@code rediss://127.0.0.1:PORT/DB}, without TLS options. */
    public String url(int db) {
        return "rediss://127.0.0.1:" + port + "/" + db;
    }

    /** {@link #url} trusting the server's CA: {@code ?ssl_cert_reqs=required&ssl_ca_certs=...}, as redis-py's. */
    public String trustingUrl(int db) {
        return url(db) + "?ssl_cert_reqs=required&ssl_ca_certs=" + certificates.ca();
    }

    public int port() {
        return port;
    }

    public TestCertificates certificates() {
        return certificates;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("celeriac-redis-tls");
        certificates = TestCertificates.make(dir.resolve("tls"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/redis-server", "--port", "0",
                "--tls-port", Integer.toString(port), "--bind", "127.0.0.1", "127.0.0.2", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", dir.toString(),
                "--tls-cert-file", certificates.serverCert().toString(),
                "--tls-key-file", certificates.serverKey().toString(),
                "--tls-ca-cert-file", certificates.ca().toString(),
                "--tls-auth-clients", requireClientCertificates ? "yes" : "no"));
        command.addAll(extraArguments);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("redis.log"));
                    afterAll(context);
                    throw new IOException("redis-server did not listen for TLS on " + port + ": " + log, e);
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process = null;
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }
}
