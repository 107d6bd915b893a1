package org.celeriac.resultmeta;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Celery's result meta document as JSON (what its key-value backends store and its rpc backend sends), written the way Python's {@code json.dumps} writes it (", " and ": "
 * separators, non-ASCII escaped), keys in Celery's order: {@code status, result, traceback, children, date_done,
 * task_id}, then the extended entries.
 */
public final class ResultMetaJson {

    private static final Logger LOG = LoggerFactory.getLogger(ResultMetaJson.class);

    /** The keys of the base meta; everything else in a document is extended meta. */
    public static final Set<String> BASE_KEYS = Set.of("status", "result", "traceback", "children", "date_done", "task_id");

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE) // lower-case hex in escapes, as Python writes them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final ObjectWriter WRITER = MAPPER.writer(new PythonSeparators());
    private static final ObjectReader READER = MAPPER.readerFor(new TypeReference<Map<String, Object>>() { });

    private ResultMetaJson() {
    }

    public static String encode(TaskResult r) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("status", r.state().name());
        meta.put("result", r.result());
        meta.put("traceback", r.traceback());
        meta.put("children", r.children());
        meta.put("date_done", r.dateDone() == null ? null : formatDate(r.dateDone()));
        meta.put("task_id", r.taskId());
        r.extended().forEach((k, v) -> {
            if (!BASE_KEYS.contains(k)) {
                meta.put(k, v);
            }
        });
        try {
            return WRITER.writeValueAsString(meta);
        } catch (IOException e) {
            throw new BackendException("Cannot write the result of task " + r.taskId() + " as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a meta document; {@code fallbackId} serves when the document names no task id. */
    public static TaskResult decode(String json, String fallbackId) {
        Map<String, Object> meta;
        try {
            meta = READER.readValue(json);
        } catch (IOException e) {
            throw new BackendException("The stored result of task " + fallbackId + " is not JSON: " + e.getMessage(), e);
        }
        if (meta == null) {
            throw new BackendException("The stored result of task " + fallbackId + " is JSON null");
        }
        String id = meta.get("task_id") instanceof String s ? s : fallbackId;
        Map<String, Object> extended = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (!BASE_KEYS.contains(k)) {
                extended.put(k, v);
            }
        });
        List<Object> children = meta.get("children") instanceof List<?> l ? new ArrayList<>(l) : List.of();
        Object traceback = meta.get("traceback");
        Object date = meta.get("date_done");
        return new TaskResult(id, state(meta.get("status"), id), meta.get("result"),
                traceback == null ? null : traceback.toString(), children,
                date == null ? null : parseDate(date.toString()), extended);
    }

    /**
     * Any JSON-like value as Python's {@code json.dumps} writes it, for the other documents Celery keeps beside the
     * meta (a chord member, a saved group); {@code what} names it in the error.
     */
    public static String encodeValue(Object value, String what) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (IOException e) {
            throw new BackendException("Cannot write " + what + " as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The document Celery's key-value backends' {@code _save_group} writes: {@code {"result": [[group id, null],
     * members]}} and nothing else (no status, no date), which Python's {@code GroupResult.restore} reads.
     */
    public static String encodeGroup(String groupId, List<Object> members) {
        return encodeValue(Map.of("result", Arrays.asList(Arrays.asList(groupId, null), members)), "group " + groupId);
    }

    /** The members of a document {@link #encodeGroup} wrote (or Celery's {@code _save_group}). */
    public static List<Object> decodeGroup(String json, String groupId) {
        Object doc = decodeValue(json, "The saved group " + groupId);
        if (doc instanceof Map<?, ?> m && m.get("result") instanceof List<?> tuple && tuple.size() == 2
                && tuple.get(1) instanceof List<?> members) {
            return Collections.unmodifiableList(new ArrayList<Object>(members));
        }
        throw new BackendException("The saved group " + groupId + " is not {\"result\": [[id, parent], members]}: "
                + json);
    }

    /** A JSON document as plain values (maps, lists, numbers, strings); {@code what} names it in the error. */
    public static Object decodeValue(String json, String what) {
        try {
            return MAPPER.readValue(json, Object.class);
        } catch (IOException e) {
            throw new BackendException(what + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** Python's {@code datetime.isoformat()} of a naive UTC time: microseconds, left out when zero. */
    public static String formatDate(Instant t) {
        LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(26);
        pad(b, d.getYear(), 4).append('-');
        pad(b, d.getMonthValue(), 2).append('-');
        pad(b, d.getDayOfMonth(), 2).append('T');
        pad(b, d.getHour(), 2).append(':');
        pad(b, d.getMinute(), 2).append(':');
        pad(b, d.getSecond(), 2);
        int micros = d.getNano() / 1000;
        if (micros != 0) {
            pad(b.append('.'), micros, 6);
        }
        return b.toString();
    }

    /** Appends {@code value} zero-padded to {@code width} digits (String.format is slow on a hot path). */
    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }

    /** Naive times are UTC (Celery 5.2); times with an offset or {@code Z} (later Celery) are taken as they are. */
    public static Instant parseDate(String s) {
        try {
            if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(s.replaceFirst("([+-]\\d\\d)(\\d\\d)$", "$1:$2")).toInstant();
            }
            return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BackendException("Cannot read date_done '" + s + "': " + e.getMessage(), e);
        }
    }

    private static TaskState state(Object status, String id) {
        if (status != null) {
            try {
                return TaskState.valueOf(status.toString());
            } catch (IllegalArgumentException e) {
                // a custom state (update_state(state='PROGRESS')) or IGNORED: not ready, so in progress
                LOG.debug("Task {} is in state {} unknown here; read as STARTED", id, status);
                return TaskState.STARTED;
            }
        }
        return TaskState.PENDING;
    }

    /** The separators of Python's {@code json.dumps} defaults: {@code ", "} and {@code ": "}, on one line. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
