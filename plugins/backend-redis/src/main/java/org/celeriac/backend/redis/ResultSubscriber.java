package org.celeriac.backend.redis;

import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.celeriac.redis.RedisTls;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.backend.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;

/**
 * One subscriber connection per backend, shared by every {@link Waiter}: a listener thread runs the Redis
 * SUBSCRIBE loop, waiters add and drop channels (one per awaited task key) while it runs. The connection is
 * opened on first use; when it breaks, every waiter is told (and falls back to polling) and the next
 * {@link #watch} opens a new one.
 *
 * <p>The loop always holds a private control channel, so it does not end when the last task channel goes.
 * Subscription replies arrive in the order the SUBSCRIBE commands were sent, which lets {@link #watch} wait for
 * the confirmation of its own SUBSCRIBE before the caller reads the key.
 *
 * <p>The connection is PINGed every second and its reads time out after that plus the socket timeout, so a
 * connection that went silent without a reset (a network partition) is given up instead of waited on forever.
 */
final class ResultSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(ResultSubscriber.class);

    static final int PING_MILLIS = 1_000;

    private final RedisUrl endpoint;
    /** {@code host:port/db}, for messages: never the password. */
    private final String where;
    /** Made once: TLS files are read and checked when the backend opens, not on every reconnect. */
    private final JedisClientConfig clientConfig;
    private final String controlChannel = "celeriac-backend-listener-" + UUID.randomUUID();
    private final Object lock = new Object();

    // all guarded by lock
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final Map<String, CompletableFuture<Void>> confirmed = new HashMap<>();
    private final Map<String, Deque<CompletableFuture<Void>>> pendingAcks = new HashMap<>();
    private Listener listener;
    private ScheduledExecutorService pinger;
    private boolean closed;

    ResultSubscriber(RedisUrl endpoint, RedisTls tls) {
        this.endpoint = endpoint;
        this.where = endpoint.where();
        int timeout = endpoint.socketTimeoutMillis();
        this.clientConfig = RedisResultBackend.clientConfig(endpoint, tls, timeout, PING_MILLIS + timeout,
                "celeriac-backend-subscriber");
    }

    /**
     * Subscribes to {@code channel} (or joins the subscription already there) and returns once Redis confirmed it.
     *
     * @throws BackendException when the subscriber cannot connect or Redis does not confirm in time
     */
    Waiter watch(String channel, long confirmMillis) throws InterruptedException {
        Listener l;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The Redis result backend is closed");
            }
            if (listener == null) {
                listener = new Listener();
                listener.start();
            }
            if (pinger == null) {
                pinger = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "celeriac-redis-results-ping-" + where);
                    t.setDaemon(true);
                    return t;
                });
                pinger.scheduleWithFixedDelay(this::ping, PING_MILLIS, PING_MILLIS, TimeUnit.MILLISECONDS);
            }
            l = listener;
        }
        await(l.ready, confirmMillis, "connect the result subscriber");
        Waiter w = new Waiter(channel);
        CompletableFuture<Void> ack;
        synchronized (lock) {
            if (listener != l) {
                throw new BackendException("The result subscriber to " + where + " went away");
            }
            List<Waiter> list = waiters.get(channel);
            if (list == null) {
                list = new ArrayList<>();
                waiters.put(channel, list);
                ack = new CompletableFuture<>();
                confirmed.put(channel, ack);
                pendingAcks.computeIfAbsent(channel, c -> new ArrayDeque<>()).add(ack);
                try {
                    l.pubSub.subscribe(channel);
                } catch (RuntimeException e) {
                    waiters.remove(channel);
                    confirmed.remove(channel);
                    throw new BackendException("Cannot subscribe to results at " + where + ": " + e.getMessage(), e);
                }
            } else {
                ack = confirmed.get(channel);
            }
            list.add(w);
        }
        try {
            await(ack, confirmMillis, "subscribe to " + channel);
        } catch (RuntimeException | InterruptedException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private void await(CompletableFuture<Void> f, long millis, String what) throws InterruptedException {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BackendException("Cannot " + what + " at " + where + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new BackendException("Redis at " + where + " did not let us " + what + " within " + millis + " ms");
        }
    }

    /** A PING on the subscribed connection: the reply (or a message) keeps its reads from timing out. */
    private void ping() {
        synchronized (lock) { // SUBSCRIBE and UNSUBSCRIBE are written under the lock too
            Listener l = listener;
            if (l == null || !l.pubSub.isSubscribed()) {
                return;
            }
            try {
                l.pubSub.ping();
            } catch (RuntimeException e) {
                LOG.debug("Cannot PING the result subscriber at {}: {}", where, e.toString());
            }
        }
    }

    void close() {
        Listener l;
        synchronized (lock) {
            closed = true;
            l = listener;
            listener = null;
            if (pinger != null) {
                pinger.shutdownNow();
            }
        }
        if (l != null) {
            l.shutdown();
        }
    }

    /** One waiting {@code await} call: the messages of its channel, from its subscription on. */
    final class Waiter implements AutoCloseable {
        private final String channel;
        private final Deque<String> messages = new ArrayDeque<>(); // guarded by this
        private CompletableFuture<String> pending;
        private Throwable failure;

        Waiter(String channel) {
            this.channel = channel;
        }

        /** The next message (already there, or to come); fails when the subscriber connection is gone. */
        synchronized CompletableFuture<String> next() {
            if (!messages.isEmpty()) {
                return CompletableFuture.completedFuture(messages.poll());
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (pending == null || pending.isDone()) {
                pending = new CompletableFuture<>();
            }
            return pending;
        }

        synchronized void deliver(String message) {
            if (pending != null && !pending.isDone()) {
                pending.complete(message);
                pending = null;
            } else {
                if (messages.size() >= 16) {
                    messages.poll(); // a waiter only needs the newest states
                }
                messages.add(message);
            }
        }

        synchronized void fail(Throwable t) {
            failure = t;
            if (pending != null) {
                pending.completeExceptionally(t);
            }
        }

        /** Leaves the channel; the last waiter of a channel unsubscribes it. */
        @Override
        public void close() {
            synchronized (lock) {
                List<Waiter> list = waiters.get(channel);
                if (list == null || !list.remove(this) || !list.isEmpty()) {
                    return;
                }
                waiters.remove(channel);
                confirmed.remove(channel);
                Listener l = listener;
                if (l != null && l.pubSub.isSubscribed()) {
                    try {
                        l.pubSub.unsubscribe(channel);
                    } catch (RuntimeException e) {
                        LOG.debug("Cannot unsubscribe {} at {}: {}", channel, where, e.toString());
                    }
                }
            }
        }
    }

    /** The thread of one subscriber connection; it ends when the connection breaks or on {@link #shutdown}. */
    private final class Listener extends Thread {
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final JedisPubSub pubSub = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                if (channel.equals(controlChannel)) {
                    ready.complete(null);
                    return;
                }
                synchronized (lock) {
                    Deque<CompletableFuture<Void>> acks = pendingAcks.get(channel);
                    if (acks != null) {
                        CompletableFuture<Void> ack = acks.poll();
                        if (acks.isEmpty()) {
                            pendingAcks.remove(channel);
                        }
                        if (ack != null) {
                            ack.complete(null);
                        }
                    }
                }
            }

            @Override
            public void onMessage(String channel, String message) {
                List<Waiter> targets;
                synchronized (lock) {
                    List<Waiter> list = waiters.get(channel);
                    targets = list == null ? List.of() : new ArrayList<>(list);
                }
                for (Waiter w : targets) {
                    w.deliver(message);
                }
            }
        };
        private volatile Jedis connection;
        private volatile boolean stopping;

        Listener() {
            super("celeriac-redis-results-" + endpoint.host() + ":" + endpoint.port());
            setDaemon(true);
        }

        @Override
        public void run() {
            Throwable cause = null;
            int timeout = endpoint.socketTimeoutMillis();
            try (Jedis jedis = new Jedis(endpoint.address(), clientConfig)) {
                connection = jedis;
                if (stopping) {
                    return;
                }
                jedis.subscribe(pubSub, controlChannel);
            } catch (RuntimeException e) {
                cause = e;
                if (!stopping && e.getCause() instanceof SocketTimeoutException) {
                    LOG.warn("Result subscriber to {} heard nothing, not even a PONG, for {} ms: the connection went"
                            + " silent; the next wait reconnects", where, PING_MILLIS + timeout);
                } else if (!stopping) {
                    LOG.warn("Result subscriber to {} stopped: {}", where, e.toString());
                }
            } finally {
                BackendException gone = new BackendException("The result subscriber to " + where + " stopped"
                        + (cause == null ? "" : ": " + cause.getMessage()), cause);
                ready.completeExceptionally(gone);
                List<Waiter> all = new ArrayList<>();
                synchronized (lock) {
                    if (listener == this) {
                        listener = null;
                    }
                    waiters.values().forEach(all::addAll);
                    waiters.clear();
                    confirmed.values().forEach(f -> f.completeExceptionally(gone));
                    confirmed.clear();
                    pendingAcks.clear();
                }
                for (Waiter w : all) {
                    w.fail(gone);
                }
            }
        }

        void shutdown() {
            stopping = true;
            try {
                if (pubSub.isSubscribed()) {
                    pubSub.unsubscribe();
                }
            } catch (RuntimeException e) {
                LOG.debug("Unsubscribing from {} failed: {}", where, e.toString());
            }
            try {
                join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Jedis c = connection;
            if (isAlive() && c != null) {
                try {
                    c.disconnect(); // the loop then ends with an error, which stopping silences
                } catch (RuntimeException e) {
                    // best effort
                }
            }
        }
    }
}
