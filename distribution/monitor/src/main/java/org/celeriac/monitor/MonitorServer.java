package org.celeriac.monitor;

import static org.celeriac.monitor.HttpReplies.send;
import static org.celeriac.monitor.HttpReplies.sendJson;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.celeriac.app.Celeriac;
import org.celeriac.control.ControlTarget;
import org.celeriac.control.Inspect;
import org.celeriac.spi.backend.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves the monitor's JSON API at Flower's paths and in Flower's shapes, so that scripts written for Flower work:
 * {@code /healthcheck}, {@code /api/workers} (remote control's inspect replies, or with {@code status} who is
 * alive), {@code /api/tasks} (filtered, sorted, paged), {@code /api/task/types}, {@code /api/task/info/ID},
 * {@code /api/task/result/ID} and {@code /api/task/revoke/ID}. With a user and password every request needs them
 * (HTTP basic authentication), as Flower's {@code --basic-auth}; scripts may give an API token instead
 * ({@link ApiAuth}). Errors are answered as Flower answers them: its task handlers with the status alone, its
 * worker and control handlers with the reason as text. The HTML pages, their live feed and the charts' data are
 * {@link WebPages}', {@link LiveFeed}'s and {@link TaskTimeSeries}'.
 */
public final class MonitorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorServer.class);
    /** What Flower asks every worker for, and keeps per worker with the time of the answer. */
    private static final List<String> INSPECTED = List.of("stats", "active_queues", "registered", "scheduled",
            "active", "reserved", "revoked", "conf");

    /** How long {@code /api/task/apply} waits for the result. */
    private static final Duration APPLY_TIMEOUT = Duration.ofMinutes(5);

    private final ClusterState state;
    private final Celeriac app;
    private final Duration inspectTimeout;
    private final ApiAuth auth;
    private final HttpServer server;
    private final ExecutorService threads;
    /** Where the inspect commands of a refresh wait for their replies side by side. */
    private final ExecutorService inspecting;
    private final ObjectMapper json = new ObjectMapper();
    /** The last inspect answers per worker, as Flower's {@code application.workers}. */
    private final Map<String, Map<String, Object>> inspected = new LinkedHashMap<>();
    /** The HTML pages, their live feed and charts' data: see {@link WebPages}. */
    private final TaskTimeSeries series = new TaskTimeSeries(600, 200);
    private final LiveFeed feed;
    private final WebPages pages;

    /**
     * Binds now; serves once {@link #start()} is called.
     *
     * @param basicAuth {@code user:password} that every request must carry (several users separated by commas, as
     *                  Flower's {@code --basic-auth}), or null for none
     */
    public MonitorServer(ClusterState state, Celeriac app, InetSocketAddress address, String basicAuth,
                         Duration inspectTimeout) throws IOException {
        this(state, app, address, basicAuth == null ? ApiAuth.none() : ApiAuth.of(basicAuth, List.of()),
                inspectTimeout);
    }

    /**
     * Binds now; serves once {@link #start()} is called; every request must pass {@code auth}. A factory, not a
     * constructor, so that {@code new MonitorServer(..., null, ...)} stays the constructor's without a password.
     */
    public static MonitorServer withAuth(ClusterState state, Celeriac app, InetSocketAddress address, ApiAuth auth,
                                         Duration inspectTimeout) throws IOException {
        return new MonitorServer(state, app, address, auth, inspectTimeout);
    }

    private MonitorServer(ClusterState state, Celeriac app, InetSocketAddress address, ApiAuth auth,
                          Duration inspectTimeout) throws IOException {
        this.state = state;
        this.app = app;
        this.inspectTimeout = inspectTimeout;
        this.auth = auth;
        this.server = HttpServer.create(address, 64);
        this.threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "celeriac-monitor-http");
            t.setDaemon(true);
            return t;
        });
        this.inspecting = Executors.newFixedThreadPool(INSPECTED.size(), r -> {
            Thread t = new Thread(r, "celeriac-monitor-inspect");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        this.feed = new LiveFeed(state, Duration.ofMillis(250), Duration.ofSeconds(15), 32);
        this.pages = new WebPages(state, series, app.settings().get(org.celeriac.config.Settings.BROKER_URL));
        server.createContext(LiveFeed.PATH, this::live);
    }

    public void start() {
        state.listen(series);
        state.listen(feed);
        feed.start();
        server.start();
    }

    /** The live feed's connections stay open, on threads of the feed's own, not this server's. */
    private void live(HttpExchange exchange) throws IOException {
        if (authorized(exchange)) {
            feed.attach(exchange);
            return;
        }
        try (exchange) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"celeriac monitor\"");
            send(exchange, 401, "text/plain", "Unauthorized".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Where it listens: the port chosen when asked for port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        state.unlisten(feed);
        state.unlisten(series);
        server.stop(0);
        feed.close();
        threads.shutdownNow();
        inspecting.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"celeriac monitor\"");
                send(exchange, 401, "text/plain", "Unauthorized".getBytes(StandardCharsets.UTF_8));
                return;
            }
            URI uri = exchange.getRequestURI();
            Map<String, String> q = query(uri.getRawQuery());
            byte[] body = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
                q.putAll(query(new String(body, StandardCharsets.UTF_8))); // Flower reads arguments from either
            }
            try {
                route(exchange, uri.getPath(), q, body);
            } catch (FlowerError e) {
                send(exchange, e.status, "text/plain; charset=UTF-8",
                        e.message == null ? new byte[0] : e.message.getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            LOG.warn("Monitor request {} failed", exchange.getRequestURI(), e);
        }
    }

    private void route(HttpExchange exchange, String path, Map<String, String> q, byte[] body) throws IOException {
        String method = exchange.getRequestMethod();
        if (path.equals("/healthcheck")) {
            send(exchange, 200, "text/plain", "OK".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/metrics")) {
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    state.metrics().getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/api/workers") && method.equals("GET")) {
            workers(exchange, q);
        } else if (path.equals("/api/tasks") && method.equals("GET")) {
            tasks(exchange, q);
        } else if (path.equals("/api/task/types") && method.equals("GET")) {
            sendJson(exchange, 200, Map.of("task-types", state.taskTypes()));
        } else if (path.startsWith("/api/task/info/") && method.equals("GET")) {
            String id = path.substring("/api/task/info/".length());
            var task = state.task(id);
            if (task.isPresent()) {
                sendJson(exchange, 200, withWorkerName(task.get()));
            } else {
                throw FlowerError.bare(404); // Flower's task handlers answer errors with the status alone
            }
        } else if (path.startsWith("/api/task/result/") && method.equals("GET")) {
            result(exchange, path.substring("/api/task/result/".length()), q);
        } else if (path.startsWith("/api/task/abort/") && method.equals("POST")) {
            abort(exchange, path.substring("/api/task/abort/".length()));
        } else if (path.startsWith("/api/task/revoke/") && method.equals("POST")) {
            String id = path.substring("/api/task/revoke/".length());
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("task_id", id);
            args.put("terminate", FlowerArguments.bool(q, "terminate", false));
            args.put("signal", q.getOrDefault("signal", "SIGTERM"));
            app.control().cast("revoke", args, ControlTarget.all());
            sendJson(exchange, 200, Map.of("message", "Revoked '" + id + "'"));
        } else if (path.equals("/api/queues/length") && method.equals("GET")) {
            queueLengths(exchange);
        } else if (method.equals("POST") && path.startsWith("/api/task/")) {
            taskAction(exchange, path.substring("/api/task/".length()), q, body);
        } else if (method.equals("POST") && path.startsWith("/api/worker/")) {
            workerAction(exchange, path.substring("/api/worker/".length()), q);
        } else if (method.equals("GET") && pages.serves(path)) {
            pages.serve(exchange, path, q);
        } else {
            error(exchange, 404, "Not Found");
        }
    }

    /**
     * Flower's task actions: {@code send-task/NAME}, {@code async-apply/NAME} (the task id and its state),
     * {@code apply/NAME} (waits for the result), {@code rate-limit/NAME}, {@code timeout/NAME}; JSON bodies of
     * {@code args}, {@code kwargs} and {@code apply_async} options for the first three.
     */
    private void taskAction(HttpExchange exchange, String action, Map<String, String> q, byte[] body)
            throws IOException {
        int slash = action.indexOf('/');
        String verb = slash < 0 ? action : action.substring(0, slash);
        String name = slash < 0 ? "" : action.substring(slash + 1);
        switch (verb) {
            case "send-task", "async-apply", "apply" -> {
                Map<String, Object> options;
                try {
                    options = body.length == 0 ? new LinkedHashMap<>()
                            : json.readValue(body, new com.fasterxml.jackson.core.type.TypeReference<>() { });
                } catch (IOException | RuntimeException e) {
                    throw FlowerError.bare(400);
                }
                Object args = options.remove("args");
                Object kwargs = options.remove("kwargs");
                if (args != null && !(args instanceof List<?>) || kwargs != null && !(kwargs instanceof Map<?, ?>)) {
                    throw FlowerError.bare(400);
                }
                if (!verb.equals("send-task") && !isTask(name)) {
                    throw FlowerError.bare(404); // Flower's apply knows its app's tasks; this one the workers'
                }
                org.celeriac.canvas.Signature call = new org.celeriac.canvas.Signature(name,
                        args == null ? List.of() : new java.util.ArrayList<>((List<?>) args),
                        kwargs == null ? Map.of() : new LinkedHashMap<>((Map<String, Object>) kwargs), options, false,
                        null);
                org.celeriac.client.AsyncResult result = app.client().apply(call);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("task-id", result.id());
                if (verb.equals("apply")) {
                    TaskResult r = awaitResult(result);
                    FlowerResults.put(out, r);
                    out.put("state", r.state().name());
                } else {
                    out.put("state", result.state().name());
                }
                sendJson(exchange, 200, out);
            }
            case "rate-limit" -> {
                String worker = FlowerArguments.required(q, "workername");
                String rate = FlowerArguments.required(q, "ratelimit");
                knownTaskAndWorker(name, worker);
                replyOf(exchange, "rate_limit", Map.of("task_name", name, "rate_limit", rate), worker,
                        reply -> String.valueOf(reply.get("ok")), "Failed to set rate limit");
            }
            case "timeout" -> {
                String worker = FlowerArguments.required(q, "workername");
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("task_name", name);
                args.put("hard", FlowerArguments.decimal(q, "hard"));
                args.put("soft", FlowerArguments.decimal(q, "soft"));
                knownTaskAndWorker(name, worker);
                replyOf(exchange, "time_limit", args, worker, reply -> String.valueOf(reply.get("ok")),
                        "Failed to set timeouts");
            }
            default -> error(exchange, 404, "Not Found");
        }
    }

    /** Flower's worker actions, each answered with the worker's reply or a 403 with its reason. */
    private void workerAction(HttpExchange exchange, String action, Map<String, String> q) throws IOException {
        int slash = action.lastIndexOf('/');
        if (slash < 0) {
            error(exchange, 404, "Not Found");
            return;
        }
        String verb = action.substring(0, slash);
        String worker = action.substring(slash + 1);
        if (!isWorker(worker)) {
            throw FlowerError.text(404, "Unknown worker '" + worker + "'");
        }
        int n = verb.equals("pool/grow") || verb.equals("pool/shrink") ? FlowerArguments.whole(q, "n", 1) : 1;
        switch (verb) {
            case "shutdown" -> {
                app.control().cast("shutdown", Map.of(), ControlTarget.to(List.of(worker)));
                sendJson(exchange, 200, Map.of("message", "Shutting down!"));
            }
            case "pool/restart" -> replyOf(exchange, "pool_restart", Map.of("reload", false), worker,
                    reply -> "Restarting '" + worker + "' worker's pool", "Failed to restart the '" + worker + "' pool");
            case "pool/grow" -> replyOf(exchange, "pool_grow", Map.of("n", n), worker,
                    reply -> "Growing '" + worker + "' worker's pool by " + n,
                    "Failed to grow '" + worker + "' worker's pool");
            case "pool/shrink" -> replyOf(exchange, "pool_shrink", Map.of("n", n), worker,
                    reply -> "Shrinking '" + worker + "' worker's pool by " + n,
                    "Failed to shrink '" + worker + "' worker's pool");
            case "pool/autoscale" -> {
                int min = FlowerArguments.whole(q, "min", null);
                int max = FlowerArguments.whole(q, "max", null);
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("min", min);
                args.put("max", max);
                replyOf(exchange, "autoscale", args, worker,
                        reply -> "Autoscaling '" + worker + "' worker (min=" + min + ", max=" + max + ")",
                        "Failed to autoscale '" + worker + "' worker");
            }
            case "queue/add-consumer" -> replyOf(exchange, "add_consumer",
                    Map.of("queue", FlowerArguments.required(q, "queue")),
                    worker, reply -> String.valueOf(reply.get("ok")),
                    "Failed to add '" + q.get("queue") + "' consumer to '" + worker + "' worker");
            case "queue/cancel-consumer" -> replyOf(exchange, "cancel_consumer",
                    Map.of("queue", FlowerArguments.required(q, "queue")), worker,
                    reply -> String.valueOf(reply.get("ok")),
                    "Failed to cancel '" + q.get("queue") + "' consumer from '" + worker + "' worker");
            default -> error(exchange, 404, "Not Found");
        }
    }

    /**
     * Sends a control command to one worker (or every one when {@code worker} is null) and answers Flower's way:
     * {@code {"message": ...}} when the (first) reply says ok, else 403 and the reason.
     */
    private void replyOf(HttpExchange exchange, String command, Map<String, Object> arguments, String worker,
                         java.util.function.Function<Map<?, ?>, String> message, String failure) throws IOException {
        ControlTarget target = (worker == null ? ControlTarget.all() : ControlTarget.to(List.of(worker)).withLimit(1))
                .withTimeout(inspectTimeout);
        Map<String, Object> replies = app.control().call(command, arguments, target);
        Object reply = worker != null ? replies.get(worker) : replies.values().stream().findFirst().orElse(null);
        if (reply instanceof Map<?, ?> m && m.containsKey("ok")) {
            sendJson(exchange, 200, Map.of("message", message.apply(m)));
            return;
        }
        String reason = reply instanceof Map<?, ?> m && m.get("error") != null ? String.valueOf(m.get("error"))
                : "Unknown reason";
        send(exchange, 403, "text/plain; charset=UTF-8",
                (failure + ": " + reason).getBytes(StandardCharsets.UTF_8));
    }

    private boolean isWorker(String name) {
        synchronized (inspected) {
            if (inspected.isEmpty()) {
                refresh(null);
            } else if (!inspected.containsKey(name) && state.knowsWorker(name)) {
                refresh(name);
            }
            return inspected.containsKey(name);
        }
    }

    /** Flower's {@code /api/queues/length}: the queues the workers consume, each with its waiting messages. */
    private void queueLengths(HttpExchange exchange) throws IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        synchronized (inspected) {
            if (inspected.isEmpty()) {
                refresh(null);
            }
            for (Map<String, Object> info : inspected.values()) {
                if (info.get("active_queues") instanceof List<?> queues) {
                    for (Object queue : queues) {
                        if (queue instanceof Map<?, ?> m && m.get("name") instanceof String n) {
                            names.add(n);
                        }
                    }
                }
            }
        }
        if (names.isEmpty()) {
            names.add(app.settings().get(org.celeriac.config.Settings.TASK_DEFAULT_QUEUE));
        }
        List<Map<String, Object>> queues = new java.util.ArrayList<>();
        for (String n : names) {
            queues.add(Map.of("name", n, "messages", app.transport().size(n)));
        }
        sendJson(exchange, 200, Map.of("active_queues", queues));
    }

    private TaskResult awaitResult(org.celeriac.client.AsyncResult result) {
        try {
            return app.backend().await(result.id(), APPLY_TIMEOUT).orElseGet(result::result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result.result();
        }
    }

    /**
     * Flower's abort ({@code celery.contrib.abortable}): stores ABORTED as the task's state in the result backend,
     * where an abortable task looks; the task itself decides whether to stop (Celeriac's tasks do not look).
     */
    private void abort(HttpExchange exchange, String id) throws IOException {
        LOG.info("Aborting task '{}'", id);
        Duration expires = app.settings().getSeconds(org.celeriac.config.Settings.RESULT_EXPIRES);
        app.backend().store(new TaskResult(id, org.celeriac.spi.backend.TaskState.ABORTED, null, null, List.of(), null,
                Map.of()), expires == null || expires.isZero() ? null : expires);
        sendJson(exchange, 200, Map.of("message", "Aborted '" + id + "'"));
    }

    /** Whether a worker registered the task, or it was seen run: what stands for Flower's app's task registry. */
    private boolean isTask(String name) {
        if (state.taskTypes().contains(name)) {
            return true;
        }
        synchronized (inspected) {
            if (inspected.isEmpty()) {
                refresh(null);
            }
            for (Map<String, Object> info : inspected.values()) {
                if (info.get("registered") instanceof List<?> registered) {
                    for (Object t : registered) {
                        // Celery lists "name [rate_limit=...]" for a task with options
                        if (t instanceof String r && r.replaceFirst(" \\[.*", "").equals(name)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** Flower's checks before a task's rate or time limit is set: the task, then the worker, must be known. */
    private void knownTaskAndWorker(String task, String worker) {
        if (!isTask(task)) {
            throw FlowerError.text(404, "Unknown task '" + task + "'");
        }
        if (!isWorker(worker)) {
            throw FlowerError.text(404, "Unknown worker '" + worker + "'");
        }
    }

    private void workers(HttpExchange exchange, Map<String, String> q) throws IOException {
        boolean refresh = FlowerArguments.bool(q, "refresh", false);
        if (FlowerArguments.bool(q, "status", false)) {
            sendJson(exchange, 200, state.workerStatus());
            return;
        }
        String name = q.get("workername");
        synchronized (inspected) {
            // a name never heard of is not waited for: Flower answers it from what it knows too
            if (refresh || inspected.isEmpty()
                    || (name != null && !inspected.containsKey(name) && state.knowsWorker(name))) {
                refresh(name);
            }
            if (name != null) {
                if (!inspected.containsKey(name)) {
                    throw FlowerError.text(404, "Unknown worker '" + name + "'");
                }
                sendJson(exchange, 200, UrlMasking.maskAll(Map.of(name, inspected.get(name))));
                return;
            }
            sendJson(exchange, 200, UrlMasking.maskAll(inspected));
        }
    }

    /** Asks every worker (or the one named) what Flower asks, the commands at once, each waiting its timeout. */
    private void refresh(String name) {
        ControlTarget target = name == null ? ControlTarget.all().withTimeout(inspectTimeout)
                : ControlTarget.to(List.of(name)).withTimeout(inspectTimeout).withLimit(1);
        Inspect inspect = app.control().inspect(target);
        Map<String, CompletableFuture<Map<String, Object>>> asked = new LinkedHashMap<>();
        for (String command : INSPECTED) {
            asked.put(command, CompletableFuture.supplyAsync(() -> command.equals("active")
                    ? app.control().call("active", Map.of("safe", true), target) // Flower's: arguments as text
                    : ask(inspect, command), inspecting));
        }
        asked.forEach((command, replies) -> {
            Map<String, Object> answers;
            try {
                answers = replies.join();
            } catch (RuntimeException e) {
                LOG.warn("inspect {} failed: {}", command, e.toString());
                return;
            }
            double now = System.currentTimeMillis() / 1000.0;
            answers.forEach((worker, reply) -> {
                Map<String, Object> info = inspected.computeIfAbsent(worker, w -> new LinkedHashMap<>());
                info.put(command, reply);
                info.put("timestamp", now);
            });
        });
    }

    private static Map<String, Object> ask(Inspect inspect, String command) {
        return switch (command) {
            case "stats" -> inspect.stats();
            case "active_queues" -> inspect.activeQueues();
            case "registered" -> inspect.registered();
            case "scheduled" -> inspect.scheduled();
            case "active" -> inspect.active();
            case "reserved" -> inspect.reserved();
            case "revoked" -> inspect.revoked();
            default -> inspect.conf();
        };
    }

    private void tasks(HttpExchange exchange, Map<String, String> q) throws IOException {
        // Flower answers a bad limit or sort_by with 500 (an uncaught error); here each is a 400, as a bad offset
        Integer limit;
        int offset;
        Double receivedStart;
        Double receivedEnd;
        try {
            limit = q.get("limit") == null || q.get("limit").isBlank() ? null : Integer.valueOf(q.get("limit"));
            offset = q.get("offset") == null ? 0 : Integer.parseInt(q.get("offset"));
            receivedStart = FlowerArguments.minute(q, "received_start");
            receivedEnd = FlowerArguments.minute(q, "received_end");
        } catch (RuntimeException e) {
            throw FlowerError.bare(400);
        }
        String sortBy = q.get("sort_by");
        if (sortBy != null && !sortBy.isEmpty()
                && !List.of("name", "state", "received", "started").contains(sortBy.replaceFirst("^-+", ""))) {
            throw FlowerError.bare(400);
        }
        ClusterState.TaskQuery query = new ClusterState.TaskQuery(all(q.get("taskname")), all(q.get("state")),
                all(q.get("workername")), sortBy, offset, limit, receivedStart, receivedEnd, q.get("search"));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map<String, Object> t : state.tasks(query)) {
            out.put((String) t.get("uuid"), withWorkerName(t));
        }
        sendJson(exchange, 200, out);
    }

    /**
     * Flower's task JSON in its list and info pages: Celery's {@code Task.as_dict}, all of its fields with
     * {@code root}, {@code parent} as ids and {@code children} as a list of ids.
     */
    private static Map<String, Object> withWorkerName(Map<String, Object> task) {
        return task;
    }

    /**
     * Flower's {@code /api/task/result/ID}: the state, and the result once ready (a failure's as Python's repr of
     * the exception, with its traceback); with {@code timeout} it waits that long for the result first. Flower
     * answers a timeout that runs out with 500; here it answers the state then.
     */
    private void result(HttpExchange exchange, String id, Map<String, String> q) throws IOException {
        Double timeout;
        try {
            timeout = FlowerArguments.decimal(q, "timeout");
        } catch (FlowerError e) {
            throw FlowerError.bare(400);
        }
        TaskResult r = null;
        if (timeout != null && timeout > 0) {
            try {
                r = app.backend().await(id, Duration.ofMillis((long) (timeout * 1000))).orElse(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (r == null) {
            r = app.client().result(id).result();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task-id", id);
        out.put("state", r.state().name());
        if (r.state().isReady()) {
            FlowerResults.put(out, r);
        }
        sendJson(exchange, 200, out);
    }

    /** Whether the request has the password, or (on a path for scripts) a token, when the monitor asks for one. */
    private boolean authorized(HttpExchange exchange) {
        return auth.permits(exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"));
    }

    /** Flower's filters take "All" for no filter. */
    private static String all(String value) {
        return value == null || value.isBlank() || value.equals("All") ? null : value;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(key, value);
        }
        return q;
    }

    private void error(HttpExchange exchange, int status, String message) throws IOException {
        sendJson(exchange, status, Map.of("error", message));
    }
}
