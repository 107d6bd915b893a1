package org.celeriac.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Settings by Celery's names ({@code broker_url}, {@code task_acks_late}, ...). Each is taken from the first
 * of: explicit values (command-line flags), the environment ({@code CELERIAC_} and the name in upper case,
 * {@code __} for a dot: {@code CELERIAC_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT}),
 * a {@code celeriac.properties} file, the defaults. Immutable.
 */
public final class Settings {

    public static final String BROKER_URL = "broker_url";
    public static final String RESULT_BACKEND = "result_backend";
    public static final String TASK_DEFAULT_QUEUE = "task_default_queue";
    public static final String TASK_ACKS_LATE = "task_acks_late";
    public static final String TASK_SERIALIZER = "task_serializer";
    /** Seconds; a task running longer is abandoned and fails with {@code TimeLimitExceeded}. Unset or 0: none. */
    public static final String TASK_TIME_LIMIT = "task_time_limit";
    /** Seconds; a task running longer is interrupted ({@code SoftTimeLimitExceeded}). Unset or 0: none. */
    public static final String TASK_SOFT_TIME_LIMIT = "task_soft_time_limit";
    /** Whether workers store STARTED when a task starts. */
    public static final String TASK_TRACK_STARTED = "task_track_started";
    /** Whether workers store failures of tasks whose result is ignored. */
    public static final String TASK_STORE_ERRORS_EVEN_IF_IGNORED = "task_store_errors_even_if_ignored";
    /**
     * Whether a late-ack task whose run the worker cut short (interrupted at shutdown) is requeued rather than
     * acked and failed with {@code WorkerLostError}.
     */
    public static final String TASK_REJECT_ON_WORKER_LOST = "task_reject_on_worker_lost";
    public static final String ACCEPT_CONTENT = "accept_content";
    public static final String RESULT_EXPIRES = "result_expires";
    public static final String WORKER_CONCURRENCY = "worker_concurrency";
    public static final String WORKER_PREFETCH_MULTIPLIER = "worker_prefetch_multiplier";
    public static final String WORKER_QUEUES = "worker_queues";
    public static final String WORKER_HOSTNAME = "worker_hostname";
    /** Celery's: a rate limit for tasks that declare none, as {@code 10/s}, {@code 100/m}, {@code 1000/h}. */
    public static final String TASK_DEFAULT_RATE_LIMIT = "task_default_rate_limit";
    /** Celery's, in a syntax of our own: {@code PATTERN:QUEUE} pairs, comma separated ({@code feed.*:feeds}). */
    public static final String TASK_ROUTES = "task_routes";
    /** Celery's ({@code --statedb}): a file where a worker keeps revokes across restarts. */
    public static final String WORKER_STATE_DB = "worker_state_db";
    /** Not a Celery setting: deliveries of a message without it being settled before it is dead-lettered. */
    public static final String WORKER_MAX_DELIVERIES = "worker_max_deliveries";
    /** Celery's ({@code --pool}): {@code threads} (the default), {@code solo} or {@code virtual} (Java 21+). */
    public static final String WORKER_POOL = "worker_pool";
    /** Celery's ({@code --autoscale}): {@code max,min} threads; unset for a fixed pool of {@code worker_concurrency}. */
    public static final String WORKER_AUTOSCALE = "worker_autoscale";
    /** Celery 5.5's: take a message only when a pool thread is free. */
    public static final String WORKER_DISABLE_PREFETCH = "worker_disable_prefetch";
    /** Not a Celery setting: take no messages while the heap after GC is fuller than this percent; 0 for never. */
    public static final String WORKER_MAX_MEMORY_PERCENT = "worker_max_memory_percent";
    /** Not a Celery setting: messages larger than this many bytes are refused by clients and dead-lettered by workers. */
    public static final String MESSAGE_MAX_BYTES = "message_max_bytes";
    /** Not a Celery setting: where workers put messages they cannot run, with the reason. */
    public static final String DEAD_LETTER_QUEUE = "dead_letter_queue";
    /** Celery's ({@code -E}): whether workers send task events; worker events (heartbeats) go regardless. */
    public static final String WORKER_SEND_TASK_EVENTS = "worker_send_task_events";
    /** Celery's: whether clients send a {@code task-sent} event for each task. */
    public static final String TASK_SEND_SENT_EVENT = "task_send_sent_event";
    /** Celery's: the topic exchange events go to. */
    public static final String EVENT_EXCHANGE = "event_exchange";
    /** Celery's: the name remote control's exchanges are made of ({@code celery.pidbox}, {@code reply.celery.pidbox}). */
    public static final String CONTROL_EXCHANGE = "control_exchange";
    /** Celery's: the PEM private key (PKCS#8 or PKCS#1, RSA) that signs messages with the {@code auth} serializer. */
    public static final String SECURITY_KEY = "security_key";
    /** Celery's: the PEM X.509 certificate of {@code security_key}, which names the signer. */
    public static final String SECURITY_CERTIFICATE = "security_certificate";
    /** Celery's: a glob (or a directory) of PEM certificates whose signers are trusted. */
    public static final String SECURITY_CERT_STORE = "security_cert_store";
    /** Celery's: the digest of the RSA-PSS signatures, {@code sha256} by default. */
    public static final String SECURITY_DIGEST = "security_digest";
    /** Celery's: whether workers answer remote control. */
    public static final String WORKER_ENABLE_REMOTE_CONTROL = "worker_enable_remote_control";
    /** Celery's {@code --heartbeat-interval}, as a setting: seconds between {@code worker-heartbeat} events. */
    public static final String WORKER_HEARTBEAT_INTERVAL = "worker_heartbeat_interval";
    /** Not a Celery setting: whether workers also write their events to the log ({@code celeriac.events}). */
    public static final String WORKER_LOG_EVENTS = "worker_log_events";

    /**
     * Not a Celery setting: whether the container runs a beat beside its worker (as {@code celeriac worker -B}); the
     * command line ignores it.
     */
    public static final String BEAT_ENABLED = "beat_enabled";
    /** Not a Celery setting: where beats keep last runs, run-time entries and their lease (a URL). */
    public static final String BEAT_STORE = "beat_store";
    /** Not a Celery setting: the YAML file of periodic entries, in the shape of Celery's {@code beat_schedule}. */
    public static final String BEAT_SCHEDULE_FILE = "beat_schedule_file";
    /** The zone of crontab entries that name none (Celery's {@code timezone}, for beat alone). */
    public static final String BEAT_TIMEZONE = "beat_timezone";
    /** Not a Celery setting: {@code once} (Celery's behaviour) or {@code skip}, for ticks missed while down. */
    public static final String BEAT_MISSED_RUN = "beat_missed_run";
    /** Not a Celery setting: seconds a beat's lease lasts unrenewed, how soon another beat takes over. */
    public static final String BEAT_LEASE_TTL = "beat_lease_ttl";
    /** Celery's: the most seconds beat sleeps between looks at its schedule. */
    public static final String BEAT_MAX_LOOP_INTERVAL = "beat_max_loop_interval";

    /**
     * Celery's TLS dict for the broker, flattened: {@code broker_use_ssl.ssl_ca_certs=/ca.pem} (kombu's Redis keys)
     * or {@code broker_use_ssl.ca_certs} (py-amqp's); passed to the transport with its options.
     */
    public static final String BROKER_USE_SSL = "broker_use_ssl";
    /** Celery's TLS dict for a Redis result backend, flattened as {@link #BROKER_USE_SSL}. */
    public static final String REDIS_BACKEND_USE_SSL = "redis_backend_use_ssl";
    /** The prefix of the transport's options. */
    public static final String BROKER_TRANSPORT_OPTIONS = "broker_transport_options";
    /** The prefix of the result backend's options. */
    public static final String RESULT_BACKEND_TRANSPORT_OPTIONS = "result_backend_transport_options";

    /** The embedded default: an H2 file database under {@code ./celeriac-data}. */
    public static final String EMBEDDED_SQL = "sql://";

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(BROKER_URL, EMBEDDED_SQL),
            Map.entry(RESULT_BACKEND, EMBEDDED_SQL),
            Map.entry(TASK_DEFAULT_QUEUE, "celery"),
            Map.entry(TASK_ACKS_LATE, "false"),
            Map.entry(TASK_SERIALIZER, "json"),
            Map.entry(ACCEPT_CONTENT, "json"),
            Map.entry(RESULT_EXPIRES, "86400"),
            Map.entry(WORKER_PREFETCH_MULTIPLIER, "4"),
            Map.entry(MESSAGE_MAX_BYTES, Integer.toString(16 * 1024 * 1024)),
            Map.entry(DEAD_LETTER_QUEUE, "celeriac.dead_letter"),
            Map.entry(EVENT_EXCHANGE, "celeryev"),
            Map.entry(CONTROL_EXCHANGE, "celery"),
            Map.entry(WORKER_ENABLE_REMOTE_CONTROL, "true"),
            Map.entry(WORKER_HEARTBEAT_INTERVAL, "2"),
            Map.entry(SECURITY_DIGEST, "sha256"),
            Map.entry(BEAT_ENABLED, "false"),
            Map.entry(BEAT_STORE, "file:celeriac-data/beat-schedule.json"),
            Map.entry(BEAT_TIMEZONE, "UTC"),
            Map.entry(BEAT_MISSED_RUN, "once"),
            Map.entry(BEAT_LEASE_TTL, "5"),
            Map.entry(BEAT_MAX_LOOP_INTERVAL, "5"));

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        Map<String, String> all = new TreeMap<>(DEFAULTS);
        all.putAll(values);
        return new Settings(all);
    }

    public static Settings defaults() {
        return of(Map.of());
    }

    /**
     * Resolves settings the way the command line does.
     *
     * @param explicit    values given as flags; they win
     * @param environment the process environment
     * @param file        a properties file, read if it exists
     */
    public static Settings resolve(Map<String, String> explicit, Map<String, String> environment, Path file) {
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null && Files.isRegularFile(file)) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read settings file " + file + ": " + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(k -> all.put(k.trim().toLowerCase(Locale.ROOT), props.getProperty(k).trim()));
        }
        environment.forEach((k, v) -> {
            if (k.startsWith("CELERIAC_") && !v.isEmpty()) {
                // A double underscore stands for the dot that shells do not allow in names.
                all.put(k.substring("CELERIAC_".length()).toLowerCase(Locale.ROOT).replace("__", "."), v);
            }
        });
        explicit.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        return of(all);
    }

    public String get(String name) {
        return values.get(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int getInt(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + name + " must be a whole number, not '" + v + "'", e);
        }
    }

    public boolean getBoolean(String name) {
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("setting " + name + " must be true or false, not '" + v + "'");
        };
    }

    /** A duration given in seconds (fractions allowed), as Celery's time settings are. */
    public Duration getSeconds(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(v.trim()) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + name + " must be seconds, not '" + v + "'", e);
        }
    }

    /** A comma-separated list. */
    public List<String> getList(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Settings whose names start with a prefix, the prefix removed ({@code broker_transport_options.}). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /**
     * What a plugin is opened with: the settings under {@code optionsPrefix.} and, beneath them, those under
     * {@code tlsPrefix.} (Celery's {@code *_use_ssl} dict), each of the latter named with kombu's {@code ssl_}
     * prefix whether given with it or as py-amqp's {@code ca_certs}.
     */
    public Map<String, String> pluginOptions(String optionsPrefix, String tlsPrefix) {
        Map<String, String> out = new TreeMap<>();
        withPrefix(tlsPrefix + ".").forEach((k, v) -> out.put(k.startsWith("ssl_") ? k : "ssl_" + k, v));
        out.putAll(withPrefix(optionsPrefix + "."));
        return out;
    }

    public Settings with(String name, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(name, value);
        return new Settings(copy);
    }

    public Map<String, String> asMap() {
        return values;
    }
}
