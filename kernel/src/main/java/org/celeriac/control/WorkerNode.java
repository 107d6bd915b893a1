package org.celeriac.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.celeriac.config.Settings;
import org.celeriac.events.EventDispatcher;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Transport;
import org.celeriac.worker.TaskObserver;
import org.celeriac.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker as monitors see it, Celery's and Celeriac's alike: its mailbox on the pidbox exchange (inspect and
 * control), its {@code worker-online}, {@code worker-heartbeat} and {@code worker-offline} events, its task events,
 * and, as it starts, Celery's mingle: a {@code hello} to the other nodes, which tells it their revokes and whether
 * another node already answers to its name.
 */
public final class WorkerNode {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);
    /** How long a starting node listens for the others' greetings, as Celery's mingle. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(1);

    private final Worker worker;
    private final Transport transport;
    private final EventDispatcher events;
    private final Duration heartbeatInterval;
    /** Celery's {@code freq}: the heartbeat interval in seconds. */
    private final double freq;
    private final boolean remoteControl;
    private final Mailbox mailbox;
    private final WorkerCommands commands;
    private final Control control;
    private ControlNode node;
    private ScheduledExecutorService heart;

    /**
     * @param settings          the app's settings, for the {@code conf} command
     * @param namespace         Celery's {@code control_exchange}: {@code celery}
     * @param heartbeatInterval between {@code worker-heartbeat} events; Celery's 2 s
     * @param remoteControl     whether to answer remote control (Celery's {@code worker_enable_remote_control})
     * @param shutdown          stops the worker warm, for the {@code shutdown} command
     */
    public WorkerNode(Worker worker, Transport transport, TaskRegistry tasks, Map<String, String> settings,
                      Serializer json, String namespace, EventDispatcher events, Duration heartbeatInterval,
                      boolean remoteControl, Runnable shutdown) {
        this(worker, transport, tasks, settings, ControlSerializers.json(json), namespace, events, heartbeatInterval,
                remoteControl, shutdown);
    }

    /**
     * As above, its mailbox reading and writing with {@code serializers}: with message signing, it answers only
     * signed commands, and signs its replies.
     */
    public WorkerNode(Worker worker, Transport transport, TaskRegistry tasks, Map<String, String> settings,
                      ControlSerializers serializers, String namespace, EventDispatcher events,
                      Duration heartbeatInterval, boolean remoteControl, Runnable shutdown) {
        this.worker = worker;
        this.transport = transport;
        this.events = events;
        this.heartbeatInterval = heartbeatInterval;
        this.freq = heartbeatInterval.toMillis() / 1000.0;
        this.remoteControl = remoteControl;
        this.mailbox = new Mailbox(namespace, serializers, events.clock());
        this.control = new Control(transport, serializers, events.clock(), namespace);
        this.commands = new WorkerCommands(worker, tasks, settings, events, () -> heartbeat(5.0), shutdown,
                settings.get(Settings.BROKER_URL));
    }

    /** What turns the worker's task lifecycle into task events: for {@link Worker#observe}. */
    public TaskObserver taskEvents() {
        return new TaskEventSender(events);
    }

    /** Opens the mailbox, sends {@code worker-online} and starts the heartbeats; greets the others in the background. */
    public synchronized void start() {
        if (heart != null) {
            return;
        }
        String hostname = worker.options().hostname();
        if (remoteControl) {
            node = new ControlNode(transport, mailbox, hostname, commands.handlers());
            try {
                node.start();
            } catch (RuntimeException e) {
                LOG.warn("Worker {} answers no remote control: cannot subscribe to {}: {}", hostname,
                        mailbox.exchange(), e.getMessage());
                node = null;
            }
        }
        heart = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "celeriac-heartbeat-" + hostname);
            t.setDaemon(true);
            return t;
        });
        events.send("worker-online", workerFields(freq));
        long every = Math.max(1, heartbeatInterval.toMillis());
        heart.scheduleWithFixedDelay(() -> heartbeat(freq), every, every, TimeUnit.MILLISECONDS);
        if (node != null) {
            heart.execute(this::mingle);
        }
    }

    /** Sends {@code worker-offline}, stops the heartbeats and closes the mailbox. */
    public synchronized void stop() {
        if (heart == null) {
            return;
        }
        // not interrupted: a heartbeat in the middle of a broker write (an H2 file) would break the connection
        heart.shutdown();
        try {
            if (!heart.awaitTermination(5, TimeUnit.SECONDS)) {
                heart.shutdownNow();
            }
        } catch (InterruptedException e) {
            heart.shutdownNow();
            Thread.currentThread().interrupt();
        }
        heart = null;
        events.send("worker-offline", workerFields(freq));
        if (node != null) {
            node.close();
            node = null;
        }
    }

    private void heartbeat(double freq) {
        try {
            events.send("worker-heartbeat", workerFields(freq));
        } catch (RuntimeException e) {
            LOG.warn("Cannot send a heartbeat: {}", e.toString());
        }
    }

    /** What Celery's worker events carry: the heartbeat's frequency, the work, the load, the software. */
    private Map<String, Object> workerFields(double freq) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("freq", freq);
        f.put("active", worker.activeCount());
        f.put("processed", worker.processed());
        f.put("loadavg", loadAverage());
        f.put("sw_ident", "celeriac");
        f.put("sw_ver", WorkerNode.version());
        f.put("sw_sys", System.getProperty("os.name"));
        return f;
    }

    /**
     * Celery's mingle, in the background: greets every node with this one's revokes and takes in theirs; a reply under
     * this node's own name from another node means two nodes share it, which Celery warns of too.
     */
    private void mingle() {
        String hostname = worker.options().hostname();
        try {
            List<Map.Entry<String, Object>> replies = control.collect("hello",
                    Map.of("from_node", hostname, "revoked", commands.revokedWithTimes()),
                    ControlTarget.all().withTimeout(HELLO_TIMEOUT));
            int own = 0;
            List<String> synced = new ArrayList<>();
            for (Map.Entry<String, Object> r : replies) {
                if (r.getKey().equals(hostname)) {
                    own++;
                } else if (r.getValue() instanceof Map<?, ?> data && data.get("revoked") instanceof Map<?, ?> revoked) {
                    for (Object id : revoked.keySet()) {
                        worker.revoke(String.valueOf(id), false);
                    }
                    synced.add(r.getKey());
                }
            }
            if (own > 1) {
                LOG.warn("A node named {} is already using this name: give each worker a unique name with -n "
                        + "(DuplicateNodenameWarning)", hostname);
            }
            if (!synced.isEmpty()) {
                LOG.info("mingle: synced with {}", synced);
            }
        } catch (RuntimeException e) {
            LOG.debug("mingle: cannot greet the other nodes: {}", e.toString());
        }
    }

    /** This kernel's version, from its jar's manifest; {@code dev} when run from classes. */
    static String version() {
        String v = Worker.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The system's load averages over 1, 5 and 15 minutes, as Celery's {@code loadavg}. */
    static List<Double> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (IOException | RuntimeException e) {
            double one = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return List.of(one, one, one);
        }
    }
}
