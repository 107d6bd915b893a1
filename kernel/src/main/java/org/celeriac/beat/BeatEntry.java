package org.celeriac.beat;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.celeriac.client.SendOptions;

/**
 * One periodic task, as an entry of Celery's {@code beat_schedule}: a name, the task, when it runs, its arguments, and
 * the {@code apply_async} options it is sent with.
 *
 * @param options {@code queue}, {@code routing_key}, {@code expires} (seconds after sending, or an ISO time),
 *                {@code priority}, {@code countdown}, {@code time_limit}, {@code soft_time_limit},
 *                {@code ignore_result}; {@code exchange} is accepted for Celery's sake and ignored
 */
public record BeatEntry(String name, String task, Schedule schedule, List<Object> args, Map<String, Object> kwargs,
                        Map<String, Object> options) {

    private static final Set<String> KEYS = Set.of("task", "schedule", "args", "kwargs", "options", "relative");
    private static final Set<String> OPTIONS = Set.of("queue", "routing_key", "exchange", "expires", "priority",
            "countdown", "time_limit", "soft_time_limit", "ignore_result");

    public BeatEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(schedule, "schedule");
        args = args == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(args));
        kwargs = kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("beat entry '" + name + "': unknown option(s) " + unknown + "; known: "
                    + new TreeSet<>(OPTIONS));
        }
        sendOptions(options, Instant.EPOCH, name); // refuses bad values now rather than at the first tick
    }

    /**
     * An entry from its definition in the shape of a {@code beat_schedule} entry ({@code task}, {@code schedule},
     * {@code args}, {@code kwargs}, {@code options}), as a YAML or JSON file gives it.
     *
     * @param zone the zone of crontab and local clocked times that name none ({@code beat_timezone})
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    @SuppressWarnings("unchecked")
    public static BeatEntry fromDefinition(String name, Map<String, ?> definition, ZoneId zone) {
        Set<String> unknown = new TreeSet<>(definition.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("beat entry '" + name + "': unknown key(s) " + unknown + "; known: "
                    + new TreeSet<>(KEYS));
        }
        if (!(definition.get("task") instanceof String task) || task.isBlank()) {
            throw new IllegalArgumentException("beat entry '" + name + "': 'task' must name a task");
        }
        Object when = definition.get("schedule");
        if (when == null) {
            throw new IllegalArgumentException("beat entry '" + name + "': 'schedule' is missing");
        }
        Schedule schedule;
        try {
            schedule = Schedules.parse(when, zone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("beat entry '" + name + "': " + e.getMessage(), e);
        }
        Object args = definition.get("args");
        Object kwargs = definition.get("kwargs");
        Object options = definition.get("options");
        if (args != null && !(args instanceof List)) {
            throw new IllegalArgumentException("beat entry '" + name + "': 'args' must be a list");
        }
        if (kwargs != null && !(kwargs instanceof Map)) {
            throw new IllegalArgumentException("beat entry '" + name + "': 'kwargs' must be a mapping");
        }
        if (options != null && !(options instanceof Map)) {
            throw new IllegalArgumentException("beat entry '" + name + "': 'options' must be a mapping");
        }
        return new BeatEntry(name, task, schedule, (List<Object>) args, (Map<String, Object>) kwargs,
                (Map<String, Object>) options);
    }

    /** The definition this entry reads back from: {@link #fromDefinition} of it is an equal entry. */
    public Map<String, Object> toDefinition() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("task", task);
        d.put("schedule", schedule.toDefinition());
        d.put("args", args);
        d.put("kwargs", kwargs);
        d.put("options", options);
        return d;
    }

    /** The send options of a run that goes out at {@code now}: a relative {@code expires} counts from then. */
    public SendOptions sendOptions(Instant now) {
        return sendOptions(options, now, name);
    }

    private static SendOptions sendOptions(Map<String, Object> options, Instant now, String name) {
        SendOptions o = SendOptions.defaults();
        try {
            // Celery routes by routing_key when no queue is named; on the default exchange the two are the same
            Object queue = options.containsKey("queue") ? options.get("queue") : options.get("routing_key");
            if (queue != null) {
                o = o.queue(text(queue, "queue"));
            }
            Object expires = options.get("expires");
            if (expires instanceof Number seconds) {
                o = o.expires(now.plus(seconds(seconds)));
            } else if (expires instanceof String iso) {
                o = o.expires(OffsetDateTime.parse(iso).toInstant());
            } else if (expires != null) {
                throw new IllegalArgumentException("expires: seconds or an ISO time, not " + expires);
            }
            if (options.get("priority") != null) {
                o = o.priority(number(options.get("priority"), "priority").intValue());
            }
            if (options.get("countdown") != null) {
                o = o.countdown(seconds(number(options.get("countdown"), "countdown")));
            }
            Object hard = options.get("time_limit");
            Object soft = options.get("soft_time_limit");
            if (hard != null || soft != null) {
                o = o.timeLimits(hard == null ? null : number(hard, "time_limit").doubleValue(),
                        soft == null ? null : number(soft, "soft_time_limit").doubleValue());
            }
            if (options.get("ignore_result") != null) {
                if (!(options.get("ignore_result") instanceof Boolean b)) {
                    throw new IllegalArgumentException("ignore_result: true or false, not " + options.get("ignore_result"));
                }
                o = o.ignoreResult(b);
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("beat entry '" + name + "': expires: not an ISO time with an offset: "
                    + e.getParsedString(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("beat entry '" + name + "': " + e.getMessage(), e);
        }
        return o;
    }

    private static String text(Object value, String option) {
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new IllegalArgumentException(option + ": a name, not " + value);
    }

    private static Number number(Object value, String option) {
        if (value instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException(option + ": a number, not " + value);
    }

    private static Duration seconds(Number n) {
        return Duration.ofNanos(Math.round(n.doubleValue() * 1e9));
    }
}
