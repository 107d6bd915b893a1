package org.celeriac.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.config.Settings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac worker}: consumes queues and runs tasks until stopped. */
@Command(name = "worker", sortOptions = false,
        description = {"Run a worker: consume queues and run tasks until stopped.", "",
            "A plain worker, without OSGi; for the container, with hot-deployed task packages and a configuration "
                    + "file, see 'celeriac start' and 'celeriac container'.", "",
            "Runs the demo tasks (demo.add, demo.sleep, ...) and any other task package on the class path, plus "
                    + "those of --tasks. A task package is a jar whose manifest names its task classes in a "
                    + "Celeriac-Tasks header.", "",
            "SIGTERM or Ctrl-C stops it warm: it takes no new messages, lets running tasks finish, gives the "
                    + "prefetched ones back to the broker and exits 0. A second signal stops it cold: running tasks are "
                    + "interrupted and not acknowledged, so late-ack ones go back to the broker for another worker; "
                    + "it exits 128 + the signal's number."})
final class WorkerCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = {"-Q", "--queues"}, split = ",", paramLabel = "QUEUE",
            description = "Queues to consume, comma separated (worker_queues). Default: the default queue, celery.")
    List<String> queues;

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N",
            description = "Tasks run at once (worker_concurrency). Default: the number of processors.")
    Integer concurrency;

    @Option(names = {"-P", "--pool"}, paramLabel = "POOL",
            description = "What runs the tasks (worker_pool): threads (a fixed pool of --concurrency threads), "
                    + "solo (one task at a time) or virtual (a virtual thread per task, at most --concurrency at "
                    + "once; Java 21 or later). Default: threads.")
    String pool;

    @Option(names = "--autoscale", paramLabel = "MAX,MIN",
            description = "Grow the pool up to MAX threads while tasks wait, shrink it to MIN after 30 s without "
                    + "growing (worker_autoscale); the prefetch limit follows. Default: a fixed pool.")
    String autoscale;

    @Option(names = "--disable-prefetch", negatable = true,
            description = "Take a message only when a pool thread is free, leaving the rest to other workers "
                    + "(worker_disable_prefetch). Default: false.")
    Boolean disablePrefetch;

    @Option(names = "--max-memory-percent", paramLabel = "PERCENT",
            description = "Take no new messages while the heap, after garbage collection, is fuller than this "
                    + "share of its maximum (worker_max_memory_percent); 0 for never. Default: 0.")
    Integer maxMemoryPercent;

    @Option(names = "--tasks", arity = "1..*", paramLabel = "JAR|DIR",
            description = "More task packages: jar files, or directories whose *.jar files are all loaded.")
    List<Path> taskPaths = List.of();

    @Option(names = {"-n", "--hostname"}, paramLabel = "NAME",
            description = "Worker name (worker_hostname). Default: celeriac@<host name>.")
    String hostname;

    @Option(names = "--acks-late", negatable = true,
            description = "Acknowledge messages after their task ran, not before (task_acks_late): a worker "
                    + "that dies mid-task loses nothing, the task runs again. Default: false.")
    Boolean acksLate;

    @Option(names = "--prefetch-multiplier", paramLabel = "N",
            description = "Messages taken ahead per concurrent task (worker_prefetch_multiplier). Default: 4.")
    Integer prefetchMultiplier;

    @Option(names = {"-E", "--task-events"}, description = "Send task events, for monitors such as Flower and "
            + "'celeriac events' (worker_send_task_events); worker heartbeats go regardless.")
    boolean taskEvents;

    @Option(names = "--heartbeat-interval", paramLabel = "SECONDS",
            description = "Seconds between worker-heartbeat events (worker_heartbeat_interval; default 2).")
    Double heartbeatInterval;

    @Option(names = {"-S", "--statedb"}, paramLabel = "FILE",
            description = "Keep revokes, by task id and by stamped header, in this file across restarts "
                    + "(worker_state_db). Default: in memory.")
    Path stateDb;

    @Option(names = "--max-deliveries", paramLabel = "N",
            description = "Dead-letter a message delivered this many times without being settled, as when its task "
                    + "kills its worker each time (worker_max_deliveries); 0 for no limit. Default: 5.")
    Integer maxDeliveries;

    @Option(names = "--time-limit", paramLabel = "SECONDS",
            description = "Hard time limit of tasks that set none (task_time_limit): a task running longer fails "
                    + "with TimeLimitExceeded and its thread is replaced. Default: none.")
    Double timeLimit;

    @Option(names = "--soft-time-limit", paramLabel = "SECONDS",
            description = "Soft time limit of tasks that set none (task_soft_time_limit): a task running longer is "
                    + "interrupted (SoftTimeLimitExceeded). Default: none.")
    Double softTimeLimit;

    @Option(names = {"-B", "--beat"},
            description = "Also run beat in this process, sending the periodic tasks (see 'celeriac beat --help').")
    boolean beat;

    @Mixin
    BeatCommand.BeatOptions beatOptions;

    @Option(names = {"-l", "--loglevel"}, paramLabel = "LEVEL",
            description = "Log level: debug, info, warning, error. Default: info.")
    String logLevel;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new HashMap<>();
        flags.put(Settings.WORKER_QUEUES, queues == null ? null : String.join(",", queues));
        flags.put(Settings.WORKER_CONCURRENCY, concurrency == null ? null : concurrency.toString());
        flags.put(Settings.WORKER_HOSTNAME, hostname);
        flags.put(Settings.TASK_ACKS_LATE, acksLate == null ? null : acksLate.toString());
        flags.put(Settings.WORKER_PREFETCH_MULTIPLIER, prefetchMultiplier == null ? null : prefetchMultiplier.toString());
        flags.put(Settings.WORKER_STATE_DB, stateDb == null ? null : stateDb.toString());
        flags.put(Settings.WORKER_SEND_TASK_EVENTS, taskEvents ? "true" : null);
        flags.put(Settings.WORKER_HEARTBEAT_INTERVAL, heartbeatInterval == null ? null : heartbeatInterval.toString());
        flags.put(Settings.WORKER_MAX_DELIVERIES, maxDeliveries == null ? null : maxDeliveries.toString());
        flags.put(Settings.TASK_TIME_LIMIT, timeLimit == null ? null : timeLimit.toString());
        flags.put(Settings.TASK_SOFT_TIME_LIMIT, softTimeLimit == null ? null : softTimeLimit.toString());
        flags.put(Settings.WORKER_POOL, pool);
        flags.put(Settings.WORKER_AUTOSCALE, autoscale);
        flags.put(Settings.WORKER_DISABLE_PREFETCH, disablePrefetch == null ? null : disablePrefetch.toString());
        flags.put(Settings.WORKER_MAX_MEMORY_PERCENT, maxMemoryPercent == null ? null : maxMemoryPercent.toString());
        flags.putAll(beatOptions.flags());
        return new WorkerRun(root, spec.commandLine().getOut())
                .run(settings.resolve(flags, root.context().environment()), taskPaths, beat);
    }
}
