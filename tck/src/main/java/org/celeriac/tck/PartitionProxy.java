package org.celeriac.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a server, for tests of how a client lives through network faults:
 * <ul>
 * <li>{@link #partition()}: every connection goes silent, both ways, and stays open: what a client sees when the
 *     peer vanished without a reset (a network partition, a host that died). Connections made meanwhile are
 *     accepted and are just as silent;</li>
 * <li>{@link #heal()}: new connections are forwarded again; those silenced stay silent, as a client's half-open
 *     socket does;</li>
 * <li>{@link #dropAll()}: every open connection is closed, as a restarted server does.</li>
 * </ul>
 */
public final class PartitionProxy implements AutoCloseable {

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean partitioned;
    private volatile boolean closed;

    private PartitionProxy(InetSocketAddress upstream, int listenPort) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "partition-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** Starts a proxy on a free loopback port, forwarding to {@code host:port}. */
    public static PartitionProxy start(String host, int port) throws IOException {
        return start(host, port, 0);
    }

    /** Starts a proxy on loopback port {@code listenPort} (0 for any free one), forwarding to {@code host:port}. */
    public static PartitionProxy start(String host, int port, int listenPort) throws IOException {
        return new PartitionProxy(new InetSocketAddress(host, port), listenPort);
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** How many connections clients opened so far. */
    public int connections() {
        return accepted.get();
    }

    /** Silences every connection, open or to come, without closing any. */
    public void partition() {
        partitioned = true;
        links.forEach(Link::silence);
    }

    /** Forwards new connections again; the ones silenced stay silent. */
    public void heal() {
        partitioned = false;
    }

    /** Closes every open connection, both sides. */
    public void dropAll() {
        for (Link l : links) {
            l.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        dropAll();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                throw new UncheckedIOException(e);
            }
            accepted.incrementAndGet();
            Link link = new Link(client);
            links.add(link);
            if (partitioned) {
                link.silence(); // accepted by the kernel, never answered
                continue;
            }
            try {
                link.connect();
            } catch (IOException e) {
                link.close();
            }
        }
    }

    /** One client connection and its upstream twin. */
    private final class Link {
        private final Socket client;
        private final Socket server = new Socket();
        private volatile boolean silent;

        Link(Socket client) {
            this.client = client;
        }

        void connect() throws IOException {
            server.connect(upstream, 5_000);
            pump(client, server, "up");
            pump(server, client, "down");
        }

        void silence() {
            silent = true;
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }

        private void pump(Socket from, Socket to, String direction) throws IOException {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (!silent) { // silenced: read and dropped, so nothing arrives and nothing is closed
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // one side closed: close the other below
                }
                if (!silent) {
                    close();
                }
            }, "partition-proxy-" + port() + "-" + direction);
            t.setDaemon(true);
            t.start();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // best effort
        }
    }
}
