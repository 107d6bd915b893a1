package org.celeriac.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.celeriac.beat.Beat;
import org.celeriac.beat.BeatSettings;
import org.celeriac.beat.MissedRun;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.TaskRoutes;
import org.celeriac.config.Settings;
import org.celeriac.control.Control;
import org.celeriac.control.ControlSerializers;
import org.celeriac.control.WorkerNode;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.events.BrokerEventSink;
import org.celeriac.events.EventDispatcher;
import org.celeriac.events.EventReceiver;
import org.celeriac.events.LamportClock;
import org.celeriac.events.LogEventSink;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.security.MessageSigning;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.events.Event;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.TaskDefaults;
import org.celeriac.worker.Worker;
import org.celeriac.worker.WorkerOptions;

/**
 * One application, as Celery's {@code app}: settings, the broker and backend they name, the task registry,
 * and the clients and workers built on them. Closing it closes the broker and backend connections.
 */
public final class Celeriac implements AutoCloseable {

    private final Settings settings;
    private final PluginCatalog plugins;
    private final Transport transport;
    private final ResultBackend backend;
    private final TaskRegistry tasks;
    private final CeleriacClient client;
    private final List<Worker> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Celery's {@code app.clock}: one per app, for its events and its mailbox. */
    private final LamportClock clock = new LamportClock();
    private final Control control;
    /** Where the client's {@code task-sent} events go, with {@code task_send_sent_event}; null without. */
    private final EventDispatcher sentEvents;
    private volatile Runnable onShutdownCommand;

    private Celeriac(Settings settings, PluginCatalog found, TaskRegistry tasks) {
        this.settings = settings;
        // before connecting: a missing key or certificate fails here, as in Celery's setup_security
        this.plugins = MessageSigning.catalog(found, settings);
        this.tasks = tasks;
        TaskRoutes routes = TaskRoutes.parse(settings.get(Settings.TASK_ROUTES)); // fails before connecting
        String brokerUrl = settings.get(Settings.BROKER_URL);
        String backendUrl = settings.get(Settings.RESULT_BACKEND);
        this.transport = plugins.transportFor(brokerUrl).open(brokerUrl,
                settings.pluginOptions(Settings.BROKER_TRANSPORT_OPTIONS, Settings.BROKER_USE_SSL));
        try {
            // broker_url too: Celery's rpc:// backend sends results over the broker
            Map<String, String> backendOptions = new java.util.HashMap<>(settings.pluginOptions(
                    Settings.RESULT_BACKEND_TRANSPORT_OPTIONS, Settings.REDIS_BACKEND_USE_SSL));
            backendOptions.put(Settings.BROKER_URL, brokerUrl);
            this.backend = plugins.backendFor(backendUrl).open(backendUrl, backendOptions);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
        this.client = new CeleriacClient(transport, backend, plugins.serializer(settings.get(Settings.TASK_SERIALIZER)),
                settings.get(Settings.TASK_DEFAULT_QUEUE), settings.getInt(Settings.MESSAGE_MAX_BYTES, Integer.MAX_VALUE),
                routes, name -> tasks.find(name).map(t -> t.options().queue()), resultExpires(settings));
        this.control = new Control(transport, controlSerializers(), clock, settings.get(Settings.CONTROL_EXCHANGE));
        if (settings.getBoolean(Settings.TASK_SEND_SENT_EVENT)) {
            // Celery's client names itself gen<pid>@<host> in its events
            sentEvents = new EventDispatcher("gen" + ProcessHandle.current().pid() + "@" + localHost(), clock,
                    true);
            sentEvents.addSink(new BrokerEventSink(transport, settings.get(Settings.EVENT_EXCHANGE)));
            client.sendSentEvents(sentEvents);
        } else {
            sentEvents = null;
        }
    }

    /**
     * As Celery's mailbox: written with {@code task_serializer}, read with {@code accept_content}, so that with message
     * signing remote control is signed and checked as tasks are.
     */
    private ControlSerializers controlSerializers() {
        return new ControlSerializers(plugins.serializer(settings.get(Settings.TASK_SERIALIZER)),
                settings.getList(Settings.ACCEPT_CONTENT).stream().map(plugins::serializer).toList());
    }

    /** This machine's name, as worker names take it ({@code celeriac@<host>}). */
    private static String localHost() {
        String node = WorkerOptions.defaults().hostname();
        return node.substring(node.indexOf('@') + 1);
    }

    /** Opens the broker and backend that the settings name, with plugins from the catalog. */
    public static Celeriac open(Settings settings, PluginCatalog plugins) {
        return new Celeriac(settings, plugins, new TaskRegistry());
    }

    /**
     * The same, on a task registry that outlives this app: in the container, task packages come and go
     * independently of broker connections.
     */
    public static Celeriac open(Settings settings, PluginCatalog plugins, TaskRegistry tasks) {
        return new Celeriac(settings, plugins, tasks);
    }

    public Settings settings() {
        return settings;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    /** Opens the schedule store {@code beat_store} names; options come from {@code beat_store_options.*}. */
    public ScheduleStore openScheduleStore() {
        String url = settings.get(Settings.BEAT_STORE);
        return plugins.scheduleStoreFor(url).open(url, settings.withPrefix("beat_store_options."));
    }

    /** How a beat of this app runs, from the {@code beat_*} settings; it holds its lease as beat@host:pid. */
    public BeatSettings beatSettings() {
        Duration ttl = settings.getSeconds(Settings.BEAT_LEASE_TTL);
        Duration loop = settings.getSeconds(Settings.BEAT_MAX_LOOP_INTERVAL);
        return new BeatSettings("beat@" + localHost() + ":" + ProcessHandle.current().pid(),
                ttl == null ? Duration.ofSeconds(5) : ttl, MissedRun.parse(settings.get(Settings.BEAT_MISSED_RUN)),
                loop == null ? Duration.ofSeconds(5) : loop, ZoneId.of(settings.get(Settings.BEAT_TIMEZONE)));
    }

    /**
     * A beat that sends through this app's client, as {@code apply_async} would: task routes and the default queue
     * apply to entries that name no queue. The caller starts and closes it, and closes the store after it.
     */
    public Beat beat(ScheduleStore store, BeatSettings beatSettings) {
        return new Beat(store, e -> client.send(e.task(), e.args(), e.kwargs(), e.sendOptions(Instant.now())).id(),
                beatSettings, Clock.systemUTC());
    }

    public CeleriacClient client() {
        return client;
    }

    public Transport transport() {
        return transport;
    }

    public ResultBackend backend() {
        return backend;
    }

    /** Remote control of the workers on this app's broker, Celery's and Celeriac's: Celery's {@code app.control}. */
    public Control control() {
        return control;
    }

    /** This app's logical clock, which its events and remote-control messages carry. */
    public LamportClock clock() {
        return clock;
    }

    /**
     * Receives, on a transport thread, the events every node on this broker publishes from now on whose routing key
     * matches {@code pattern} ({@code #} for all, {@code task.#}, {@code worker.heartbeat}, ...).
     */
    public Subscription events(String pattern, Consumer<Event> listener) {
        // JSON, and signed events once verified when this app signs (Celery's event_serializer='auth')
        List<Serializer> accept = new ArrayList<>(List.of(plugins.serializer("json")));
        plugins.serializers().stream().filter(s -> MessageSigning.isAuth(s.name())).findFirst().ifPresent(accept::add);
        return EventReceiver.listen(transport, settings.get(Settings.EVENT_EXCHANGE), pattern, accept, clock,
                listener);
    }

    /** {@code result_expires}: null (for ever) when 0 or unset. */
    private static Duration resultExpires(Settings settings) {
        Duration expires = settings.getSeconds(Settings.RESULT_EXPIRES);
        return expires == null || expires.isZero() ? null : expires;
    }

    /** Worker options from the settings ({@code worker_concurrency}, {@code task_acks_late}, ...). */
    public WorkerOptions workerOptions() {
        WorkerOptions d = WorkerOptions.defaults();
        List<String> queues = settings.getList(Settings.WORKER_QUEUES);
        Duration expires = settings.getSeconds(Settings.RESULT_EXPIRES);
        return d.withQueues(queues.isEmpty() ? List.of(settings.get(Settings.TASK_DEFAULT_QUEUE)) : queues)
                .withConcurrency(settings.getInt(Settings.WORKER_CONCURRENCY, d.concurrency()))
                .withPrefetchMultiplier(settings.getInt(Settings.WORKER_PREFETCH_MULTIPLIER, d.prefetchMultiplier()))
                .withAcksLate(settings.getBoolean(Settings.TASK_ACKS_LATE))
                .withHostname(NodeName.expand(settings.get(Settings.WORKER_HOSTNAME, d.hostname()),
                        d.hostname().substring(d.hostname().indexOf('@') + 1)))
                .withResultExpires(expires == null || expires.isZero() ? null : expires)
                .withMaxMessageBytes(settings.getInt(Settings.MESSAGE_MAX_BYTES, d.maxMessageBytes()))
                .withAcceptContent(settings.getList(Settings.ACCEPT_CONTENT))
                .withTaskSerializer(settings.get(Settings.TASK_SERIALIZER))
                .withDeadLetterQueue(settings.get(Settings.DEAD_LETTER_QUEUE))
                .withTaskDefaults(new TaskDefaults(settings.getSeconds(Settings.TASK_TIME_LIMIT),
                        settings.getSeconds(Settings.TASK_SOFT_TIME_LIMIT), settings.getBoolean(Settings.TASK_TRACK_STARTED),
                        settings.getBoolean(Settings.TASK_STORE_ERRORS_EVEN_IF_IGNORED),
                        settings.getBoolean(Settings.TASK_REJECT_ON_WORKER_LOST)));
    }

    /**
     * How workers dispatch, from the settings ({@code task_default_rate_limit}, {@code worker_max_deliveries},
     * {@code worker_state_db}, {@code worker_pool}, {@code worker_autoscale}, {@code worker_disable_prefetch},
     * {@code worker_max_memory_percent}).
     */
    public DispatchOptions dispatchOptions() {
        String stateDb = settings.get(Settings.WORKER_STATE_DB);
        return DispatchOptions.defaults()
                .withDefaultRateLimit(settings.get(Settings.TASK_DEFAULT_RATE_LIMIT))
                .withMaxDeliveries(settings.getInt(Settings.WORKER_MAX_DELIVERIES, DispatchOptions.DEFAULT_MAX_DELIVERIES))
                .withStateDb(stateDb == null || stateDb.isBlank() ? null : Path.of(stateDb.strip()))
                .withPool(DispatchOptions.Pool.named(settings.get(Settings.WORKER_POOL)))
                .withAutoscale(DispatchOptions.Autoscale.parse(settings.get(Settings.WORKER_AUTOSCALE)))
                .withDisablePrefetch(settings.getBoolean(Settings.WORKER_DISABLE_PREFETCH))
                .withMaxMemoryPercent(settings.getInt(Settings.WORKER_MAX_MEMORY_PERCENT, 0));
    }

    /** A worker on this app's broker, backend and tasks; call {@link Worker#start()}. Closing the app stops it. */
    public Worker worker(WorkerOptions options) {
        return worker(options, dispatchOptions());
    }

    /**
     * The same, with dispatch options of its own. While it runs, the worker answers remote control and sends its
     * events (see {@link WorkerNode}), as the settings say ({@code worker_enable_remote_control},
     * {@code worker_send_task_events}, {@code worker_heartbeat_interval}, {@code worker_log_events}).
     */
    public Worker worker(WorkerOptions options, DispatchOptions dispatch) {
        Worker w = new Worker(transport, backend, tasks, plugins, options, dispatch, client::queueFor);
        workers.add(w);
        EventDispatcher events = new EventDispatcher(options.hostname(), clock,
                settings.getBoolean(Settings.WORKER_SEND_TASK_EVENTS));
        events.addSink(new BrokerEventSink(transport, settings.get(Settings.EVENT_EXCHANGE)));
        if (settings.getBoolean(Settings.WORKER_LOG_EVENTS)) {
            events.addSink(new LogEventSink());
        }
        events.addSinks(plugins::eventSinks);
        Duration heartbeat = settings.getSeconds(Settings.WORKER_HEARTBEAT_INTERVAL);
        WorkerNode node = new WorkerNode(w, transport, tasks, settings.asMap(), controlSerializers(),
                settings.get(Settings.CONTROL_EXCHANGE), events,
                heartbeat == null || heartbeat.isZero() ? Duration.ofSeconds(2) : heartbeat,
                settings.getBoolean(Settings.WORKER_ENABLE_REMOTE_CONTROL), () -> shutdownCommand(w));
        w.observe(node.taskEvents());
        w.whileRunning(node::start, () -> {
            node.stop();
            events.close();
        });
        return w;
    }

    /**
     * What the remote {@code shutdown} command does: the host's own stop where it set one (a plain worker process
     * exits as on SIGTERM), else a warm stop of that worker alone.
     */
    private void shutdownCommand(Worker w) {
        Runnable host = onShutdownCommand;
        if (host != null) {
            host.run();
        } else {
            w.stop();
        }
    }

    /**
     * What a remote {@code shutdown} command does, instead of stopping the worker it reached: a plain worker process
     * stops as it does on SIGTERM.
     */
    public void onShutdownCommand(Runnable stop) {
        this.onShutdownCommand = stop;
    }

    /** A worker with the options the settings give. */
    public Worker worker() {
        return worker(workerOptions());
    }

    /** Opens the broker and backend the settings name, with plugins found through {@link java.util.ServiceLoader}. */
    public static Celeriac open(Settings settings) {
        return open(settings, new org.celeriac.discovery.ServiceLoaderCatalog());
    }

    /** Stops this app's workers (warm), then closes the broker and backend connections. */
    @Override
    public void close() {
        workers.forEach(Worker::stop);
        if (sentEvents != null) {
            sentEvents.close();
        }
        try {
            transport.close();
        } finally {
            backend.close();
        }
    }

    /** Settings for an in-memory broker and backend, for tests and embedding. */
    public static Settings inMemory(String name) {
        return Settings.of(Map.of(Settings.BROKER_URL, "memory://" + name, Settings.RESULT_BACKEND, "memory://" + name));
    }
}
