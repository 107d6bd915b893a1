package org.celeriac.backend.memcached;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

import org.celeriac.spi.backend.BackendException;

/**
 * The servers of one URL, each with a few connections lent to one caller at a time, and each key sent to the server
 * pylibmc would send it to ({@link ModulaDistribution}). A connection that fails is dropped and the command tried
 * once more on a new one, so a restarted server costs no error; a server that stays down is named in the error.
 */
final class MemcachedClient implements AutoCloseable {
    /** One command on one connection. */
    interface Command<T> {
        T run(MemcachedConnection c) throws IOException;
    }

    private final MemcachedUrl url;
    private final List<Server> servers = new ArrayList<>();
    private volatile boolean closed;

    MemcachedClient(MemcachedUrl url) {
        this.url = url;
        for (InetSocketAddress a : url.servers()) {
            servers.add(new Server(a, url.maxConnections()));
        }
    }

    /** Runs a command on the server that holds the key. */
    <T> T call(String key, String what, Command<T> command) {
        return server(key).call(what, command);
    }

    /** The values of those keys that are there, one {@code get} per server holding some of them. */
    Map<String, MemcachedConnection.Value> getAll(Collection<String> keys, String what) {
        Map<Server, List<String>> byServer = new LinkedHashMap<>();
        for (String k : keys) {
            byServer.computeIfAbsent(server(k), s -> new ArrayList<>()).add(k);
        }
        Map<String, MemcachedConnection.Value> values = new LinkedHashMap<>();
        for (Map.Entry<Server, List<String>> e : byServer.entrySet()) {
            values.putAll(e.getKey().call(what, c -> c.get(e.getValue())));
        }
        return values;
    }

    String where() {
        return url.where();
    }

    private Server server(String key) {
        return servers.get(ModulaDistribution.serverFor(key, servers.size()));
    }

    @Override
    public void close() {
        closed = true;
        for (Server s : servers) {
            s.close();
        }
    }

    /** One server's idle connections, and a bound on how many it has in all. */
    private final class Server {
        private final InetSocketAddress address;
        private final BlockingQueue<MemcachedConnection> idle;
        private final Semaphore permits;

        Server(InetSocketAddress address, int max) {
            this.address = address;
            this.idle = new ArrayBlockingQueue<>(max);
            this.permits = new Semaphore(max);
        }

        <T> T call(String what, Command<T> command) {
            if (closed) {
                throw new BackendException("The Memcached backend at " + where() + " is closed; cannot " + what);
            }
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("Interrupted waiting for a Memcached connection to " + what, e);
            }
            try {
                IOException last = null;
                for (int attempt = 0; attempt < 2; attempt++) {
                    MemcachedConnection c = idle.poll();
                    boolean reused = c != null;
                    try {
                        if (c == null) {
                            c = new MemcachedConnection(address, url.connectTimeoutMillis(),
                                    url.socketTimeoutMillis());
                        }
                        T result = command.run(c);
                        release(c);
                        return result;
                    } catch (MemcachedConnection.CommandRefused e) {
                        release(c);
                        throw new BackendException("Memcached at " + name() + ": cannot " + what + ": "
                                + e.getMessage(), e);
                    } catch (RuntimeException e) {
                        if (c != null) {
                            c.close(); // in an unknown state
                        }
                        throw e;
                    } catch (IOException e) {
                        if (c != null) {
                            c.close();
                        }
                        last = e;
                        if (!reused) {
                            break; // a fresh connection failed: the server is not there, say so now
                        }
                    }
                }
                throw new BackendException("Memcached at " + name() + " is unreachable; cannot " + what + ": "
                        + last, last);
            } finally {
                permits.release();
            }
        }

        private void release(MemcachedConnection c) {
            if (closed || !idle.offer(c)) {
                c.close();
            }
        }

        private String name() {
            return address.getHostString() + ":" + address.getPort();
        }

        void close() {
            MemcachedConnection c;
            while ((c = idle.poll()) != null) {
                c.close();
            }
        }
    }
}
