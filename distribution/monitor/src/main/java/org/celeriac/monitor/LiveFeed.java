package org.celeriac.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.events.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

/**
 * The pages' live updates: server-sent events ({@code text/event-stream}) at {@link #PATH}, fed by the
 * {@link ClusterState} and coalesced: what changed is noted as events arrive, and sent at most once per interval,
 * so a busy cluster costs each browser a few small messages a second, not one per event. Frames:
 * <ul>
 *   <li>{@code event: workers}: every worker as {@link ClusterState#workers()} shows it; on connecting, and after
 *       worker events.</li>
 *   <li>{@code event: tasks}: the tasks that changed since the last push, by id, as {@link ClusterState#task}
 *       shows them (at most {@link #MAX_TASKS} a push).</li>
 *   <li>{@code event: resync}: more changed than a push carries, or a client fell behind: reload the lists.</li>
 *   <li>a comment every {@code keepAlive}, so that the connection of a closed tab fails and is freed.</li>
 * </ul>
 * Each connection has a thread of its own, at most {@code maxClients} of them, none from the HTTP server's pool that
 * serves the API: a slow browser holds up only itself, and one that falls behind gets a resync instead of a backlog.
 */
final class LiveFeed implements StateListener, AutoCloseable {
    static final String PATH = "/api/live";
    static final int MAX_TASKS = 200;
    /** Frames a client may have waiting before it is told to resync instead. */
    private static final int BACKLOG = 16;
    static final String RESYNC = "event: resync\ndata: {}\n\n";
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final ClusterState state;
    private final Duration interval;
    private final Duration keepAlive;
    private final ObjectMapper json = new ObjectMapper();
    private final Set<Client> clients = new CopyOnWriteArraySet<>();
    private final int maxClients;
    private final ThreadPoolExecutor connections;
    private final ScheduledExecutorService pusher;

    /** Guarded by this. */
    private Set<String> changedTasks = new LinkedHashSet<>();
    private boolean tooMany;
    private boolean workersChanged;

    /**
     * @param interval   the least time between two pushes
     * @param maxClients connections served at once; more are refused with 503
     */
    LiveFeed(ClusterState state, Duration interval, Duration keepAlive, int maxClients) {
        this.state = state;
        this.interval = interval;
        this.keepAlive = keepAlive;
        this.maxClients = maxClients;
        // bounded by maxClients in connect(): a thread whose client left may still be ending as a new one comes
        this.connections = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("celeriac-monitor-live"));
        this.pusher = Executors.newSingleThreadScheduledExecutor(daemon("celeriac-monitor-live-push"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts pushing, each interval. */
    void start() {
        long millis = Math.max(1, interval.toMillis());
        pusher.scheduleWithFixedDelay(this::pushSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void applied(Event event, String taskName) {
        String type = event.type();
        if (type.startsWith("task-") && event.fields().get("uuid") instanceof String uuid) {
            synchronized (this) {
                if (changedTasks.size() < MAX_TASKS || changedTasks.contains(uuid)) {
                    changedTasks.add(uuid);
                } else {
                    tooMany = true;
                }
            }
        } else if (type.startsWith("worker-")) {
            synchronized (this) {
                workersChanged = true;
            }
        }
    }

    private void pushSafely() {
        try {
            push();
        } catch (RuntimeException e) {
            LOG.warn("Live feed push failed", e);
        }
    }

    /** Sends what changed since the last push to every client, if anything did. */
    void push() {
        Set<String> tasks;
        boolean resync;
        boolean workers;
        synchronized (this) {
            tasks = changedTasks;
            resync = tooMany;
            workers = workersChanged;
            changedTasks = new LinkedHashSet<>();
            tooMany = false;
            workersChanged = false;
        }
        if (tasks.isEmpty() && !resync && !workers || clients.isEmpty()) {
            return; // with no page open, nothing is read or written
        }
        StringBuilder frames = new StringBuilder();
        if (!tasks.isEmpty()) {
            Map<String, Object> changed = new LinkedHashMap<>();
            for (String uuid : tasks) {
                state.task(uuid).ifPresent(t -> changed.put(uuid, t));
            }
            frames.append(frame("tasks", changed));
        }
        if (resync) {
            frames.append(RESYNC);
        }
        if (workers) {
            frames.append(frame("workers", state.workers()));
        }
        String all = frames.toString();
        for (Client c : clients) {
            c.offer(all);
        }
    }

    private String frame(String event, Object data) {
        try {
            return "event: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the " + event + " of the live feed as JSON", e);
        }
    }

    /** How many connections are open. */
    int clients() {
        return clients.size();
    }

    /** Serves {@link #PATH}: answers with the stream and hands the connection to a thread of its own. */
    void attach(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=UTF-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        try {
            connect(new Sink() {
                private OutputStream out;

                @Override
                public void send(String frame) throws IOException {
                    if (out == null) {
                        exchange.sendResponseHeaders(200, 0);
                        out = exchange.getResponseBody();
                    }
                    out.write(frame.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }

                @Override
                public void close() {
                    exchange.close();
                }
            });
        } catch (RejectedExecutionException e) {
            byte[] busy = "Too many live connections".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
            exchange.sendResponseHeaders(503, busy.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(busy);
            }
            exchange.close();
        }
    }

    /**
     * Adds a client: it first gets the workers as they are, then each push.
     *
     * @throws RejectedExecutionException when {@code maxClients} are connected already
     */
    void connect(Sink sink) {
        Client c = new Client(sink);
        c.offer("retry: 2000\n\n" + frame("workers", state.workers()));
        synchronized (clients) {
            if (clients.size() >= maxClients) {
                throw new RejectedExecutionException(maxClients + " live connections already");
            }
            clients.add(c);
        }
        try {
            connections.execute(c);
        } catch (RejectedExecutionException e) {
            clients.remove(c); // closed meanwhile
            throw e;
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        connections.shutdownNow();
        for (Client c : clients) {
            c.sink.close();
        }
        clients.clear();
    }

    /** Where a client's frames go: the HTTP response, or a test's list. */
    interface Sink {
        void send(String frame) throws IOException;

        void close();
    }

    private final class Client implements Runnable {
        private final Sink sink;
        private final BlockingQueue<String> waiting = new ArrayBlockingQueue<>(BACKLOG);

        Client(Sink sink) {
            this.sink = sink;
        }

        /** Queues a frame; a client that fell this far behind gets one resync instead of its backlog. */
        void offer(String frame) {
            if (!waiting.offer(frame)) {
                waiting.clear();
                waiting.offer(RESYNC);
            }
        }

        @Override
        public void run() {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    String frame = waiting.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                    sink.send(frame == null ? ": keep-alive\n\n" : frame);
                }
            } catch (IOException e) {
                LOG.debug("Live feed client gone: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                clients.remove(this);
                sink.close();
            }
        }
    }
}
