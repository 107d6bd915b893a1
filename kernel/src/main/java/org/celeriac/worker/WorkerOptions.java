package org.celeriac.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a worker runs.
 *
 * @param hostname           node name, {@code celeriac@host} by default
 * @param queues             queues to consume
 * @param concurrency        pool threads
 * @param prefetchMultiplier messages taken ahead per pool thread (Celery's {@code worker_prefetch_multiplier})
 * @param acksLate           acknowledge after the task ran, for tasks that do not say ({@code task_acks_late})
 * @param resultExpires      how long results are kept; null for ever
 * @param maxMessageBytes    larger messages are dead-lettered
 * @param acceptContent      serializer names or content types accepted ({@code accept_content})
 * @param deadLetterQueue    where messages that cannot run go, with the reason
 * @param leaseRenewInterval how often held messages' leases are renewed with the transport
 * @param shutdownTimeout    how long a warm shutdown waits for running tasks
 * @param taskDefaults       time limits and STARTED tracking for tasks that do not set their own
 * @param taskSerializer     what the tasks a workflow sends next are serialized with ({@code task_serializer}), so
 *                           that a worker signs them as its clients do
 */
public record WorkerOptions(String hostname, List<String> queues, int concurrency, int prefetchMultiplier,
                            boolean acksLate, Duration resultExpires, int maxMessageBytes, List<String> acceptContent,
                            String deadLetterQueue, Duration leaseRenewInterval, Duration shutdownTimeout,
                            TaskDefaults taskDefaults, String taskSerializer) {

    public WorkerOptions {
        Objects.requireNonNull(hostname, "hostname");
        taskSerializer = taskSerializer == null ? "json" : taskSerializer;
        taskDefaults = taskDefaults == null ? TaskDefaults.defaults() : taskDefaults;
        queues = List.copyOf(queues);
        acceptContent = List.copyOf(acceptContent);
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one queue");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
        }
        if (prefetchMultiplier < 1) {
            throw new IllegalArgumentException("prefetch multiplier must be at least 1, not " + prefetchMultiplier);
        }
    }

    /** As before {@code taskSerializer}: JSON. */
    public WorkerOptions(String hostname, List<String> queues, int concurrency, int prefetchMultiplier,
                         boolean acksLate, Duration resultExpires, int maxMessageBytes, List<String> acceptContent,
                         String deadLetterQueue, Duration leaseRenewInterval, Duration shutdownTimeout,
                         TaskDefaults taskDefaults) {
        this(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires, maxMessageBytes,
                acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults, "json");
    }

    /** Celery's defaults: queue {@code celery}, early acks, prefetch multiplier 4, JSON only, results for a day. */
    public static WorkerOptions defaults() {
        return new WorkerOptions(defaultHostname(), List.of("celery"), Runtime.getRuntime().availableProcessors(), 4,
                false, Duration.ofDays(1), 16 * 1024 * 1024, List.of("json"), "celeriac.dead_letter",
                Duration.ofSeconds(5), Duration.ofSeconds(30), TaskDefaults.defaults());
    }

    public WorkerOptions withQueues(List<String> q) {
        return new WorkerOptions(hostname, q, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withConcurrency(int n) {
        return new WorkerOptions(hostname, queues, n, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withAcksLate(boolean late) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, late, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withMaxMessageBytes(int max) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                max, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withPrefetchMultiplier(int m) {
        return new WorkerOptions(hostname, queues, concurrency, m, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withHostname(String name) {
        return new WorkerOptions(name, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withResultExpires(Duration d) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, d,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withDeadLetterQueue(String q) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, q, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withAcceptContent(List<String> accept) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, accept, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withLeaseRenewInterval(Duration d) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, d, shutdownTimeout, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withShutdownTimeout(Duration d) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, d, taskDefaults,
                taskSerializer);
    }

    public WorkerOptions withTaskDefaults(TaskDefaults d) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, d,
                taskSerializer);
    }

    public WorkerOptions withTaskSerializer(String name) {
        return new WorkerOptions(hostname, queues, concurrency, prefetchMultiplier, acksLate, resultExpires,
                maxMessageBytes, acceptContent, deadLetterQueue, leaseRenewInterval, shutdownTimeout, taskDefaults,
                name);
    }

    static String defaultHostname() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return "celeriac@" + host;
    }
}
