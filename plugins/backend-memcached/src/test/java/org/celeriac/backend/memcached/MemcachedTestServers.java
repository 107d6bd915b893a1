package org.celeriac.backend.memcached;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real {@code /usr/bin/memcached} servers for one test class (Debian's {@code memcached}; run-tests installs it), each
 * on a free loopback port, stopped after the class. Register on a static field:
 *
 * <pre>{@code @RegisterExtension static final MemcachedTestServers MEMCACHED = new MemcachedTestServers(2);}</pre>
 */
final class MemcachedTestServers implements BeforeAllCallback, AfterAllCallback {
    private final int count;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    MemcachedTestServers(int count) {
        this.count = count;
    }

    /** {@code cache+memcached://127.0.0.1:p1;127.0.0.1:p2/}, the servers in order. */
    String url() {
        StringJoiner servers = new StringJoiner(";", "cache+memcached://", "/");
        for (int p : ports) {
            servers.add("127.0.0.1:" + p);
        }
        return servers.toString();
    }

    List<Integer> ports() {
        return List.copyOf(ports);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (int i = 0; i < count; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            // -U 0: no UDP; -u root: the tests may run as root, which memcached otherwise refuses
            processes.add(new ProcessBuilder("/usr/bin/memcached", "-l", "127.0.0.1", "-p", Integer.toString(port),
                    "-U", "0", "-m", "64", "-u", "root").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            ports.add(port);
            awaitListening(port);
        }
    }

    private static void awaitListening(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("memcached did not start on port " + port, e);
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        processes.clear();
        ports.clear();
    }
}
