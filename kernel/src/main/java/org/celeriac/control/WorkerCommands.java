package org.celeriac.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.celeriac.config.Settings;
import org.celeriac.config.UrlPasswords;
import org.celeriac.events.EventDispatcher;
import org.celeriac.events.LamportClock;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.TaskRequest;
import org.celeriac.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.celeriac.control.ControlNode.nok;
import static org.celeriac.control.ControlNode.ok;

/**
 * Celery's worker control commands ({@code celery/worker/control.py}), answered by a Celeriac worker through its
 * public methods, each reply in Celery's shape: {@code {"ok": "pong"}}, {@code {"error": "unknown task"}}, or the
 * inspected value itself.
 */
final class WorkerCommands {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommands.class);
    /** Celery's {@code censored} settings: names that may hold secrets. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(API|TOKEN|KEY|SECRET|PASS|SIGNATURE|DATABASE).*");

    private final Worker worker;
    private final TaskRegistry tasks;
    private final Map<String, String> settings;
    private final EventDispatcher events;
    private final Runnable heartbeat;
    private final Runnable shutdown;
    private final String brokerUrl;
    private final String hostname;
    private final LamportClock clock;

    /**
     * @param settings  the app's settings, for {@code conf} (secrets are masked)
     * @param heartbeat sends a {@code worker-heartbeat} now
     * @param shutdown  stops this worker warm, as the {@code shutdown} command asks; called once the command is handled
     */
    WorkerCommands(Worker worker, TaskRegistry tasks, Map<String, String> settings, EventDispatcher events,
                   Runnable heartbeat, Runnable shutdown, String brokerUrl) {
        this.worker = worker;
        this.tasks = tasks;
        this.settings = settings;
        this.events = events;
        this.heartbeat = heartbeat;
        this.shutdown = shutdown;
        this.brokerUrl = brokerUrl;
        this.hostname = worker.options().hostname();
        this.clock = events.clock();
    }

    Map<String, ControlNode.Handler> handlers() {
        Map<String, ControlNode.Handler> h = new LinkedHashMap<>();
        // inspect
        h.put("ping", a -> ok("pong"));
        h.put("stats", a -> stats());
        h.put("clock", a -> Map.of("clock", clock.value()));
        h.put("active", a -> requests(worker.active(), Boolean.TRUE.equals(a.get("safe"))));
        h.put("reserved", a -> requests(worker.reserved(), false));
        h.put("scheduled", a -> worker.scheduled().stream().map(r -> RequestInfo.scheduled(r, hostname)).toList());
        h.put("revoked", a -> new ArrayList<>(worker.revokedIds()));
        h.put("registered", a -> registered(a.get("taskinfoitems")));
        h.put("query_task", a -> queryTask(strings(a.get("ids"))));
        h.put("active_queues", a -> worker.queues().stream().map(WorkerCommands::queueInfo).toList());
        h.put("conf", a -> conf());
        h.put("report", a -> ok(report()));
        h.put("hello", this::hello);
        // control
        h.put("revoke", a -> revoke(strings(a.get("task_id")), Boolean.TRUE.equals(a.get("terminate"))));
        h.put("terminate", a -> revoke(strings(a.get("task_id")), true));
        h.put("revoke_by_stamped_headers", a -> revokeStamped(a.get("headers"), Boolean.TRUE.equals(a.get("terminate"))));
        h.put("rate_limit", a -> rateLimit(string(a.get("task_name")), a.get("rate_limit")));
        h.put("time_limit", a -> timeLimit(string(a.get("task_name")), number(a.get("soft")), number(a.get("hard"))));
        h.put("pool_grow", a -> poolGrow(count(a.get("n"))));
        h.put("pool_shrink", a -> poolShrink(count(a.get("n"))));
        h.put("autoscale", a -> autoscale(number(a.get("max")), number(a.get("min"))));
        h.put("add_consumer", a -> {
            String queue = string(a.get("queue"));
            worker.addConsumer(queue);
            return ok("add consumer " + queue);
        });
        h.put("cancel_consumer", a -> {
            String queue = string(a.get("queue"));
            worker.cancelConsumer(queue);
            return ok("no longer consuming from " + queue);
        });
        h.put("enable_events", a -> {
            boolean changed = events.taskEvents(true);
            if (changed) {
                LOG.info("Events of group {task} enabled by remote.");
            }
            return ok(changed ? "task events enabled" : "task events already enabled");
        });
        h.put("disable_events", a -> {
            boolean changed = events.taskEvents(false);
            if (changed) {
                LOG.info("Events of group {task} disabled by remote.");
            }
            return ok(changed ? "task events disabled" : "task events already disabled");
        });
        h.put("heartbeat", a -> {
            heartbeat.run();
            return null;
        });
        h.put("shutdown", a -> {
            LOG.warn("{}", a.get("msg") instanceof String m ? m : "Got shutdown from remote");
            // Celery's worker exits without a reply; so does this one, once this command is handled
            Thread t = new Thread(shutdown, "celeriac-remote-shutdown");
            t.setDaemon(true);
            t.start();
            return ControlNode.NO_REPLY;
        });
        h.put("election", a -> null);
        h.put("pool_restart", a -> {
            throw new IllegalArgumentException("Pool restarts not enabled");
        });
        // Celery's aliases
        h.put("dump_active", h.get("active"));
        h.put("dump_reserved", h.get("reserved"));
        h.put("dump_schedule", h.get("scheduled"));
        h.put("dump_revoked", h.get("revoked"));
        h.put("dump_tasks", h.get("registered"));
        h.put("dump_conf", h.get("conf"));
        return h;
    }

    private List<Map<String, Object>> requests(List<TaskRequest> requests, boolean safe) {
        return requests.stream().map(r -> RequestInfo.of(r, hostname, safe)).toList();
    }

    private Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("total", new LinkedHashMap<>(worker.totals()));
        s.put("pid", ProcessHandle.current().pid());
        s.put("clock", String.valueOf(clock.value()));
        Instant started = worker.startedAt();
        s.put("uptime", started == null ? 0 : Duration.between(started, Instant.now()).toSeconds());
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("implementation", "celeriac:" + worker.poolKind());
        pool.put("max-concurrency", worker.poolSize());
        // one JVM process runs every pool thread
        pool.put("processes", List.of(ProcessHandle.current().pid()));
        pool.put("threads", worker.poolSize());
        pool.put("max-tasks-per-child", "N/A");
        pool.put("put-guarded-by-semaphore", false);
        var defaults = worker.options().taskDefaults();
        pool.put("timeouts", List.of(seconds(defaults.softTimeLimit()), seconds(defaults.timeLimit())));
        s.put("pool", pool);
        DispatchOptions.Autoscale a = worker.autoscaling();
        if (a != null) {
            s.put("autoscaler", Map.of("max", a.max(), "min", a.min(), "qty", worker.poolSize()));
        }
        s.put("broker", BrokerInfo.of(brokerUrl));
        s.put("prefetch_count", worker.prefetchCount());
        s.put("rusage", ResourceUsage.read());
        return s;
    }

    private static Object seconds(Duration d) {
        return d == null ? 0 : d.toMillis() / 1000.0;
    }

    private List<String> registered(Object infoItems) {
        List<String> items = infoItems == null ? List.of("rate_limit") : strings(infoItems);
        List<String> names = new ArrayList<>(new TreeSet<>(tasks.names()));
        List<String> out = new ArrayList<>(names.size());
        for (String name : names) {
            StringBuilder info = new StringBuilder();
            for (String item : items) {
                String value = switch (item) {
                    case "rate_limit" -> worker.rateLimit(name);
                    case "queue", "routing_key" -> tasks.find(name).map(t -> t.options().queue()).orElse("");
                    default -> "";
                };
                if (value != null && !value.isEmpty()) {
                    info.append(info.length() == 0 ? "" : " ").append(item).append('=').append(value);
                }
            }
            out.add(info.length() == 0 ? name : name + " [" + info + "]");
        }
        return out;
    }

    private Map<String, Object> queryTask(List<String> ids) {
        Map<String, Object> found = new LinkedHashMap<>();
        Set<String> wanted = Set.copyOf(ids);
        addFound(found, wanted, worker.active(), "active");
        addFound(found, wanted, worker.reserved(), "reserved");
        addFound(found, wanted, worker.scheduled(), "reserved");
        return found;
    }

    private void addFound(Map<String, Object> found, Set<String> wanted, List<TaskRequest> requests, String state) {
        for (TaskRequest r : requests) {
            if (wanted.contains(r.task().id())) {
                found.putIfAbsent(r.task().id(), List.of(state, RequestInfo.of(r, hostname, false)));
            }
        }
    }

    /** As kombu's {@code Queue.as_dict(recurse=True)} for a queue on Celery's default direct exchange. */
    static Map<String, Object> queueInfo(String queue) {
        Map<String, Object> exchange = new LinkedHashMap<>();
        exchange.put("name", queue);
        exchange.put("type", "direct");
        exchange.put("arguments", null);
        exchange.put("durable", true);
        exchange.put("passive", false);
        exchange.put("auto_delete", false);
        exchange.put("delivery_mode", null);
        exchange.put("no_declare", false);
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("name", queue);
        q.put("exchange", exchange);
        q.put("routing_key", queue);
        q.put("queue_arguments", null);
        q.put("binding_arguments", null);
        q.put("consumer_arguments", null);
        q.put("durable", true);
        q.put("exclusive", false);
        q.put("auto_delete", false);
        q.put("no_ack", false);
        q.put("alias", null);
        q.put("bindings", List.of());
        q.put("no_declare", null);
        q.put("expires", null);
        q.put("message_ttl", null);
        q.put("max_length", null);
        q.put("max_length_bytes", null);
        q.put("max_priority", null);
        return q;
    }

    private Map<String, Object> conf() {
        Map<String, Object> c = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(settings).entrySet()) {
            c.put(e.getKey(), typed(censored(e.getKey(), e.getValue())));
        }
        return c;
    }

    /** Settings are text here; Celery's {@code conf} has numbers and booleans, so those go as such. */
    static Object typed(String value) {
        if (value == null) {
            return null;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        if (value.matches("-?\\d{1,18}")) {
            return Long.valueOf(value);
        }
        if (value.matches("-?\\d+\\.\\d+")) {
            return Double.valueOf(value);
        }
        return value;
    }

    /** As Celery's censored {@code conf}: secrets masked, passwords cut out of URLs. */
    static String censored(String key, String value) {
        if (value == null) {
            return null;
        }
        if (key.endsWith("_url") || key.equals(Settings.RESULT_BACKEND) || key.equals(Settings.BEAT_STORE)
                || value.contains("://")) {
            return UrlPasswords.mask(value); // as Celery's maybe_sanitize_url: redis://:**@host
        }
        return SECRET.matcher(key).matches() ? "********" : value;
    }

    private String report() {
        return "software -> celeriac:" + WorkerNode.version()
                + " java:" + Runtime.version() + "\n"
                + "platform -> system:" + System.getProperty("os.name") + " arch:" + System.getProperty("os.arch")
                + " vm:" + System.getProperty("java.vm.name") + "\n"
                + "settings -> transport:" + BrokerInfo.of(brokerUrl).get("transport")
                + " results:" + censored(Settings.RESULT_BACKEND, settings.get(Settings.RESULT_BACKEND)) + "\n";
    }

    /**
     * Celery's mingle: a starting node greets the others, which take in its revokes and answer with theirs. Answers
     * nothing to itself.
     */
    @SuppressWarnings("unchecked")
    private Object hello(Map<String, Object> a) {
        if (hostname.equals(a.get("from_node"))) {
            return null;
        }
        LOG.info("sync with {}", a.get("from_node"));
        if (a.get("revoked") instanceof Map<?, ?> revoked) {
            for (Object id : revoked.keySet()) {
                worker.revoke(String.valueOf(id), false);
            }
        }
        return Map.of("revoked", revokedWithTimes(), "clock", clock.forward());
    }

    /** Revoked ids with the time, as Celery's {@code LimitedSet._data}; this node keeps no time, so now. */
    Map<String, Object> revokedWithTimes() {
        Map<String, Object> data = new LinkedHashMap<>();
        double now = RequestInfo.seconds(Instant.now());
        for (String id : worker.revokedIds()) {
            data.put(id, now);
        }
        return data;
    }

    private Map<String, Object> revoke(List<String> ids, boolean terminate) {
        Set<String> running = new java.util.HashSet<>();
        if (terminate) {
            for (TaskRequest r : worker.active()) {
                running.add(r.task().id());
            }
        }
        List<String> terminated = new ArrayList<>();
        for (String id : ids) {
            worker.revoke(id, terminate);
            if (running.contains(id)) {
                terminated.add(id);
            }
        }
        if (terminate) {
            return ok(terminated.isEmpty() ? "terminate: tasks unknown" : "terminate: " + String.join(", ", terminated));
        }
        LOG.info("Tasks flagged as revoked: {}", String.join(", ", ids));
        return ok("tasks " + String.join(", ", ids) + " flagged as revoked");
    }

    private Map<String, Object> revokeStamped(Object headers, boolean terminate) {
        if (!(headers instanceof Map<?, ?> stamps) || stamps.isEmpty()) {
            return nok("no stamped headers given");
        }
        for (Map.Entry<?, ?> e : stamps.entrySet()) {
            if (e.getValue() instanceof Collection<?> values) {
                for (Object v : values) {
                    worker.revokeByStampedHeader(String.valueOf(e.getKey()), v, terminate);
                }
            } else {
                worker.revokeByStampedHeader(String.valueOf(e.getKey()), e.getValue(), terminate);
            }
        }
        return ok("headers " + stamps + " flagged as revoked");
    }

    private Map<String, Object> rateLimit(String task, Object limit) {
        if (tasks.find(task).isEmpty()) {
            LOG.error("Rate limit attempt for unknown task {}", task);
            return nok("unknown task");
        }
        String value = limit == null ? "" : String.valueOf(limit);
        try {
            worker.setRateLimit(task, value);
        } catch (IllegalArgumentException e) {
            return nok("Invalid rate limit string: " + e.getMessage());
        }
        return ok(value.isEmpty() ? "rate limit disabled successfully" : "new rate limit set successfully");
    }

    private Map<String, Object> timeLimit(String task, Double soft, Double hard) {
        if (tasks.find(task).isEmpty()) {
            LOG.error("Change time limit attempt for unknown task {}", task);
            return nok("unknown task");
        }
        worker.setTimeLimit(task, soft, hard);
        LOG.info("New time limits for tasks of type {}: soft={} hard={}", task, soft, hard);
        return ok("time limits set successfully");
    }

    private Map<String, Object> poolGrow(int n) {
        if (worker.autoscaling() != null) {
            return nok("pool_grow is not supported with autoscale. Adjust autoscale range instead.");
        }
        worker.growPool(n);
        return ok("pool will grow");
    }

    private Map<String, Object> poolShrink(int n) {
        if (worker.autoscaling() != null) {
            return nok("pool_shrink is not supported with autoscale. Adjust autoscale range instead.");
        }
        worker.shrinkPool(n);
        return ok("pool will shrink");
    }

    private Map<String, Object> autoscale(Double max, Double min) {
        DispatchOptions.Autoscale a = worker.autoscaling();
        if (a == null) {
            throw new IllegalArgumentException("Autoscale not enabled");
        }
        int newMax = max == null ? a.max() : max.intValue();
        int newMin = min == null ? a.min() : min.intValue();
        worker.autoscale(newMax, newMin);
        return ok("autoscale now max=" + newMax + " min=" + newMin);
    }

    private static String string(Object o) {
        if (o == null) {
            throw new IllegalArgumentException("missing argument");
        }
        return String.valueOf(o);
    }

    /** One value or a list of them, as Celery's {@code maybe_list}. */
    static List<String> strings(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(o));
    }

    private static Double number(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.valueOf(String.valueOf(o));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + o);
        }
    }

    private static int count(Object o) {
        Double n = number(o);
        return n == null ? 1 : n.intValue();
    }
}
