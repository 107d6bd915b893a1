package org.celeriac.itests;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.celeriac.json.JsonSerializer;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.transport.Message;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A deterministic stream of hostile messages mixed with good ones: message {@code n} of a seed is always the same.
 * Each is a {@link Sample}: what to put on the broker, and what must become of it. Every message carries its marker
 * {@code fz-N} where a dead letter keeps it (an {@code x-fuzz} header, and the body or raw bytes wherever possible),
 * and a task id {@code fz-N} wherever it has one, so that every outcome can be traced back to its message.
 */
final class HostileMessages {
    /** The task the good messages run: {@code demo.add}. */
    static final String ADD = "demo.add";
    /** The largest message, body and headers, the worker under test is told to take: {@code message_max_bytes}. */
    static final int MAX_BYTES = 64 * 1024;
    private static final ProtocolV2 CODEC = new ProtocolV2(new JsonSerializer());
    /** Writes NaN and infinities as JSON's extension tokens, as Python's json does, and big decimals plainly. */
    private static final ObjectMapper LOOSE = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** What must become of a message. */
    enum Expect {
        /** Succeeds with {@link Sample#expected()}. */
        GOOD,
        /** A FAILURE result with a reason, or a dead letter with one, or both. */
        BAD,
        /** Odd but within what a worker may take (NaN arguments, a forged reply_to): any outcome, never lost. */
        TOLERATED
    }

    /**
     * One message. For the broker: {@code raw} bytes as they are when set (on Redis the list entry, on RabbitMQ the
     * body of a message without properties), else {@code message}, in kombu's envelope on Redis.
     */
    record Sample(int n, String category, Expect expect, String id, Object expected, Message message, byte[] raw) {
        String marker() {
            return marker(n);
        }

        static String marker(int n) {
            return "fz-" + n;
        }
    }

    private final long seed;
    private final boolean redis;
    private final String queue;

    /**
     * @param redis whether the messages go to Redis, where what is wrong with a kombu envelope itself (not JSON,
     *              broken base64, nesting bombs in the headers) can be sent as raw list entries
     */
    HostileMessages(long seed, boolean redis, String queue) {
        this.seed = seed;
        this.redis = redis;
        this.queue = queue;
    }

    /** The categories, by weight out of 1000. */
    private static final Object[][] CATEGORIES = {
            {"good", 300},
            {"not an envelope", 40},
            {"broken JSON", 60},
            {"broken base64", 40},
            {"wrong header types", 150},
            {"huge headers", 3},
            {"oversized body", 5},
            {"nesting bomb", 40},
            {"unknown content type or encoding", 40},
            {"pickle", 20},
            {"Java serialization", 20},
            {"invalid UTF-8", 30},
            {"NaN and overflowing numbers", 50},
            {"countdowns, expiry and retries", 100},
            {"forged reply_to", 30},
            {"control characters in the task name", 42},
            {"protocol v1", 10},
    };

    static List<String> categories() {
        List<String> names = new ArrayList<>();
        for (Object[] c : CATEGORIES) {
            names.add((String) c[0]);
        }
        return names;
    }

    Sample sample(int n) {
        Random r = new Random(seed * 1_000_003L + n);
        int pick = r.nextInt(1000);
        String category = null;
        for (Object[] c : CATEGORIES) {
            pick -= (Integer) c[1];
            if (pick < 0) {
                category = (String) c[0];
                break;
            }
        }
        if (category == null) {
            category = "good";
        }
        return switch (category) {
            case "good" -> good(n, r, category);
            case "not an envelope" -> notAnEnvelope(n, r, category);
            case "broken JSON" -> brokenJson(n, r, category);
            case "broken base64" -> brokenBase64(n, r, category);
            case "wrong header types" -> wrongHeaderType(n, r, category);
            case "huge headers" -> hugeHeaders(n, r, category);
            case "oversized body" -> oversizedBody(n, r, category);
            case "nesting bomb" -> nestingBomb(n, r, category);
            case "unknown content type or encoding" -> unknownContent(n, r, category);
            case "pickle" -> pickle(n, r, category);
            case "Java serialization" -> javaSerialization(n, r, category);
            case "invalid UTF-8" -> invalidUtf8(n, r, category);
            case "NaN and overflowing numbers" -> numbers(n, r, category);
            case "countdowns, expiry and retries" -> countdowns(n, r, category);
            case "forged reply_to" -> forgedReplyTo(n, r, category);
            case "control characters in the task name" -> controlCharacters(n, r, category);
            case "protocol v1" -> protocolV1(n, r, category);
            default -> throw new IllegalStateException(category);
        };
    }

    // ------------------------------------------------------------------ the good, and what the others start from

    /** A task message as Celery's client sends it, with the marker header. */
    private Message task(int n, String name, List<Object> args) {
        TaskMessage t = TaskMessage.of(Sample.marker(n), name, args, Map.of());
        Message m = CODEC.encode(t, queue);
        return with(m, "x-fuzz", Sample.marker(n));
    }

    private Sample good(int n, Random r, String category) {
        long x = r.nextInt(2_000_001) - 1_000_000;
        long y = r.nextInt(2_000_001) - 1_000_000;
        return new Sample(n, category, Expect.GOOD, Sample.marker(n), narrow(x + y),
                task(n, ADD, List.of(x, y)), null);
    }

    private static Object narrow(long v) {
        return v == (int) v ? (Object) (int) v : v;
    }

    // ------------------------------------------------------------------ the hostile

    private Sample notAnEnvelope(int n, Random r, String category) {
        byte[] raw = switch (r.nextInt(7)) {
            case 0 -> randomBytes(r, 1 + r.nextInt(300));
            case 1 -> utf8("{\"body\": \"" + Sample.marker(n) + "\", \"headers\": {\"id\": "); // cut short
            case 2 -> utf8("[\"" + Sample.marker(n) + "\", 1, 2]");
            case 3 -> utf8("\"" + Sample.marker(n) + "\"");
            case 4 -> utf8("{\"headers\": {\"id\": \"" + Sample.marker(n) + "\", \"task\": \"demo.add\"}}"); // no body
            case 5 -> utf8("{\"body\": {\"args\": [1, 2]}, \"x-fuzz\": \"" + Sample.marker(n) + "\"}");
            default -> utf8("GET / HTTP/1.1\r\nHost: " + Sample.marker(n) + "\r\n\r\n");
        };
        return new Sample(n, category, Expect.BAD, null, null, null, concat(raw, utf8(" " + Sample.marker(n))));
    }

    private Sample brokenJson(int n, Random r, String category) {
        String good = "[[1, 2], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";
        String body = switch (r.nextInt(6)) {
            case 0 -> good.substring(0, r.nextInt(good.length() - 1)); // cut short
            case 1 -> "[[1, 2], {}, {}]]";
            case 2 -> "[[1, 2,], {}, {}]";
            case 3 -> "[[1, 2], {'a': 1}, {}]"; // Python's repr, not JSON
            case 4 -> "";
            default -> "[[1, 2], {}, {}] trailing";
        };
        return bad(n, category, withBody(task(n, ADD, List.of(1, 2)), utf8(body)));
    }

    /** On Redis an envelope whose base64 body is not base64; elsewhere a body that is base64 of nothing valid. */
    private Sample brokenBase64(int n, Random r, String category) {
        String[] broken = {"a", "abc", "====", "YWJj$$$", "not base64 at all!", "\u00e9\u00e9\u00e9\u00e9"};
        String body = broken[r.nextInt(broken.length)];
        Message m = task(n, ADD, List.of(1, 2));
        if (redis) {
            Map<String, Object> env = envelope(m);
            env.put("body", body);
            return new Sample(n, category, Expect.BAD, null, null, null, json(env));
        }
        return bad(n, category, withBody(m, utf8(body)));
    }

    /** Headers whose value, of the wrong type, must make the message fail: the others, if wrong, are ignored. */
    private static final String[] DECISIVE = {"task", "id", "retries", "eta", "expires", "timelimit"};
    private static final String[] INCIDENTAL = {"lang", "shadow", "root_id", "parent_id", "group", "group_index",
            "origin", "ignore_result", "argsrepr", "kwargsrepr", "stamped_headers", "stamps",
            "replaced_task_nesting"};
    private static final String[] EMBEDDED = {"callbacks", "errbacks", "chain", "chord"};

    private Sample wrongHeaderType(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        int where = r.nextInt(10);
        if (where < 5) {
            String header = DECISIVE[r.nextInt(DECISIVE.length)];
            return bad(n, category, with(m, header, decisiveWrong(header, r)));
        }
        Object value = wrongValue(r);
        if (where < 8) {
            String header = INCIDENTAL[r.nextInt(INCIDENTAL.length)];
            if (header.equals("ignore_result") && Boolean.TRUE.equals(value)) {
                value = "yes"; // true is right, and stores nothing to account for
            }
            return tolerated(n, category, with(m, header, value));
        }
        // the body's embedded options: callbacks, errbacks, chain and chord of the wrong shape
        String key = EMBEDDED[r.nextInt(EMBEDDED.length)];
        Map<String, Object> embed = new LinkedHashMap<>();
        embed.put("callbacks", null);
        embed.put("errbacks", null);
        embed.put("chain", null);
        embed.put("chord", null);
        embed.put(key, value);
        List<Object> body = new ArrayList<>();
        body.add(List.of(1, 2));
        body.add(Map.of());
        body.add(embed);
        return tolerated(n, category, withBody(m, json(body)));
    }

    /** A value that header cannot take. */
    private static Object decisiveWrong(String header, Random r) {
        return switch (header) {
            case "task" -> pick(r, 42, null, List.of(), Map.of(), true, Double.NaN, new BigDecimal("1e400"),
                    List.of(ADD));
            case "id" -> pick(r, 42, null, List.of(), Map.of("id", "x"), true, List.of("fz"));
            case "retries" -> pick(r, -1, 3.5, true, "3", List.of(), Map.of(), Double.NaN,
                    new BigDecimal("1e400"), BigInteger.TEN.pow(30), Double.NEGATIVE_INFINITY);
            case "eta", "expires" -> pick(r, true, List.of(), Map.of(), "", "x".repeat(1000), Double.NaN,
                    Double.NEGATIVE_INFINITY, new BigDecimal("1e400"), BigInteger.TEN.pow(30), "\u0000");
            case "timelimit" -> pick(r, 42, "x", true, Map.of(), List.of(1), List.of(1, 2, 3), List.of("a", "b"),
                    Listish.of(Double.NaN, 1), List.of(-1, -1));
            default -> throw new IllegalArgumentException(header);
        };
    }

    private static Object wrongValue(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> 42;
            case 1 -> -1;
            case 2 -> 3.5;
            case 3 -> true;
            case 4 -> null;
            case 5 -> List.of();
            case 6 -> Map.of();
            case 7 -> List.of(1, List.of(2, List.of(3)));
            case 8 -> Map.of("a", Map.of("b", List.of(1)));
            case 9 -> "";
            case 10 -> "x".repeat(1000);
            case 11 -> Double.NaN;
            case 12 -> new BigDecimal("1e400");
            case 13 -> BigInteger.TEN.pow(30);
            case 14 -> Double.NEGATIVE_INFINITY;
            default -> "\u0000\u001b[31m\r\n";
        };
    }

    /** Over {@link #MAX_BYTES} of headers: one long value, or many keys. */
    private Sample hugeHeaders(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        int size = MAX_BYTES + 1024 + r.nextInt(MAX_BYTES / 2);
        if (r.nextBoolean()) {
            return bad(n, category, with(m, "x-huge", "h".repeat(size)));
        }
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        for (int i = 0; headers.size() < size / 12; i++) {
            headers.put("x-h" + i, i);
        }
        return bad(n, category, new Message(m.body(), m.contentType(), m.contentEncoding(), headers,
                m.properties()));
    }

    private Sample oversizedBody(int n, Random r, String category) {
        String big = "b".repeat(MAX_BYTES + r.nextInt(MAX_BYTES));
        return bad(n, category, task(n, ADD, List.of(big, 1)));
    }

    /**
     * Nesting bombs: in the body, past the parser's depth limit (1000), or just within it as an argument; on Redis
     * also in the envelope's headers.
     */
    private Sample nestingBomb(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        switch (r.nextInt(5)) {
            case 0 -> {
                int depth = 1_001 + r.nextInt(20_000);
                return bad(n, category, withBody(m, utf8("[".repeat(depth) + "]".repeat(depth))));
            }
            case 1 -> {
                int depth = 2_000 + r.nextInt(10_000);
                return bad(n, category, withBody(m, utf8("[[1, 2], " + "{\"a\": ".repeat(depth) + "1"
                        + "}".repeat(depth) + ", {}]")));
            }
            case 2 -> {
                // within the limit: the parser takes it, the task's arguments do not fit
                int depth = 900 + r.nextInt(90);
                return bad(n, category, withBody(m, utf8("[[" + "[".repeat(depth) + "1" + "]".repeat(depth)
                        + ", 2], {}, {}]")));
            }
            case 3 -> {
                // never closed
                return bad(n, category, withBody(m, utf8("[".repeat(50_000))));
            }
            default -> {
                if (!redis) {
                    // tables and arrays nested in a header, past the Java client's limit of 32: the consumer
                    // would lose its connection; it hands the message over as unreadable instead
                    Object bomb = 1;
                    int depth = 33 + r.nextInt(300);
                    for (int i = 0; i < depth; i++) {
                        bomb = i % 3 == 0 ? List.of(bomb) : Map.of("a", bomb);
                    }
                    // the headers do not reach the dead letter: the marker goes in the body
                    byte[] body = json(List.of(List.of(1, 2), Map.of("x-fuzz", Sample.marker(n)), Map.of()));
                    return new Sample(n, category, Expect.BAD, null, null, withBody(with(m, "x-bomb", bomb), body),
                            null);
                }
                int depth = 5_000 + r.nextInt(50_000);
                String env = new String(json(envelope(m)), StandardCharsets.UTF_8);
                String bomb = "\"x-bomb\": " + "[".repeat(depth) + "]".repeat(depth) + ", ";
                return new Sample(n, category, Expect.BAD, null, null, null,
                        utf8(env.replaceFirst("\"headers\":\\{", "\"headers\":{" + bomb.replace("$", "\\$"))));
            }
        }
    }

    private Sample unknownContent(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        String[] types = {"application/x-yaml", "application/x-msgpack", "text/plain", "", "application/xml",
                "APPLICATION/JSON", "application/json; charset=utf-8", "application/octet-stream",
                "application/data", "\u0000", "application/x-" + "z".repeat(200)};
        String[] encodings = {"rot13", "utf-16", "binary", "gzip", "\u0001", "x".repeat(100), "utf-32"};
        if (r.nextInt(3) > 0) {
            return bad(n, category, new Message(m.body(), types[r.nextInt(types.length)], m.contentEncoding(),
                    m.headers(), m.properties()));
        }
        // JSON, as UTF-8, under another name for its encoding: the encoding is not what the worker goes by
        return tolerated(n, category, new Message(m.body(), m.contentType(), encodings[r.nextInt(encodings.length)],
                m.headers(), m.properties()));
    }

    private Sample pickle(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        // protocol 4: PROTO 4, FRAME, then a tuple; and os.system's classic payload
        byte[][] bodies = {
                {(byte) 0x80, 4, (byte) 0x95, 0x17, 0, 0, 0, 0, 0, 0, 0, ']', (byte) 0x94, '(', 'K', 1, 'K', 2, 'e',
                        '}', (byte) 0x94, '}', (byte) 0x94, (byte) 0x87, (byte) 0x94, '.'},
                utf8("cos\nsystem\n(S'echo " + Sample.marker(n) + "'\ntR."),
        };
        byte[] body = bodies[r.nextInt(bodies.length)];
        String type = r.nextInt(4) == 0 ? "application/json" : "application/x-python-serialize";
        return bad(n, category, new Message(body, type, "binary", m.headers(), m.properties()));
    }

    private Sample javaSerialization(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        // STREAM_MAGIC, STREAM_VERSION, then a string and the start of an object of a class
        byte[] body = concat(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x74, 0, 5},
                concat(utf8("fz-ok"), new byte[] {0x73, 0x72, 0, 0x11}));
        String[] types = {"application/x-java-serialized-object", "application/json", "application/octet-stream"};
        return bad(n, category, new Message(body, types[r.nextInt(types.length)], "binary", m.headers(),
                m.properties()));
    }

    private Sample invalidUtf8(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        byte[][] invalid = {{(byte) 0xc3, 0x28}, {(byte) 0xff}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}};
        byte[] bad = invalid[r.nextInt(invalid.length)];
        if (redis && r.nextBoolean()) {
            // in the envelope itself, in a header's string
            byte[] env = json(envelope(with(m, "x-utf8", "@@")));
            String text = new String(env, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("@@");
            byte[] raw = concat(concat(java.util.Arrays.copyOfRange(env, 0, at), bad),
                    java.util.Arrays.copyOfRange(env, at + 2, env.length));
            // not an envelope unless the parser reads the bytes leniently (a CESU-8 surrogate, an overlong form),
            // as Jackson does: then the task runs, the header a string with a lone surrogate
            return new Sample(n, category, Expect.TOLERATED, m.taskId(), null, null, raw);
        }
        byte[] body = concat(concat(utf8("[[\""), bad), utf8("\", 2], {}, {}]"));
        return bad(n, category, withBody(m, body));
    }

    private Sample numbers(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(1, 2));
        String[] tolerated = {"NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0".repeat(400), "-0.0",
                "4.9e-325", "9223372036854775808"};
        if (r.nextInt(5) == 0) {
            // past the parser's limit of 1000 digits
            return bad(n, category, withBody(m, utf8("[[" + "9".repeat(1_001 + r.nextInt(5_000))
                    + ", 1], {}, {}]")));
        }
        String a = tolerated[r.nextInt(tolerated.length)];
        return tolerated(n, category, withBody(m, utf8("[[" + a + ", 1], {}, {}]")));
    }

    /**
     * ETAs, expiry and retries: in the past (runs now, or expires), beyond what a time can hold or not times at
     * all (fails), retries negative or enormous (fails).
     */
    private Sample countdowns(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(3, 4));
        return switch (r.nextInt(10)) {
            case 0 -> new Sample(n, category, Expect.GOOD, Sample.marker(n), 7,
                    with(m, "eta", pick(r, "2000-01-01T00:00:00+00:00", "0001-01-01T00:00:00", "1970-01-01T00:00:00Z")),
                    null);
            case 1 -> new Sample(n, category, Expect.GOOD, Sample.marker(n), 7,
                    with(m, "eta", pick(r, -1.0, 0, 946_684_800, -62_135_596_800L)), null);
            case 2 -> tolerated(n, category, with(m, "expires", pick(r, "2000-01-01T00:00:00+00:00", -1e300, 0,
                    "0001-01-01T00:00:00")));
            case 3 -> bad(n, category, with(m, "eta", pick(r, "+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z",
                    "-999999999-01-01T00:00:00Z", "+275760-09-13T00:00:00Z")));
            case 4 -> bad(n, category, with(m, "eta", pick(r, 1e300, 1e20, Double.MAX_VALUE, Long.MAX_VALUE,
                    BigInteger.TEN.pow(40), Double.NaN, Double.POSITIVE_INFINITY, -1e300, Long.MIN_VALUE)));
            case 5 -> bad(n, category, with(m, "eta", pick(r, "tomorrow", "2024-13-45T99:99:99", "",
                    "2024-01-01T00:00:00+99:00", "\u0000")));
            case 6 -> bad(n, category, with(m, "expires", pick(r, "+999999999-12-31T23:59:59Z", 1e300, Double.NaN,
                    "never", BigInteger.TEN.pow(40))));
            case 7 -> bad(n, category, with(m, "retries", pick(r, -1, Integer.MIN_VALUE, -1e300, 2.5, Double.NaN,
                    BigInteger.TEN.pow(40), 1e30, "3")));
            case 8 -> bad(n, category, with(m, "timelimit", pick(r, List.of(-5, 1), Listish.of(Double.NaN, null),
                    Listish.of(null, Double.NEGATIVE_INFINITY), List.of("a", 1), List.of(1, -0.5))));
            default -> new Sample(n, category, Expect.GOOD, Sample.marker(n), 7,
                    with(m, "retries", pick(r, 0, 1, 100, Integer.MAX_VALUE)), null);
        };
    }

    /** List.of refuses nulls. */
    private static final class Listish {
        static List<Object> of(Object a, Object b) {
            List<Object> l = new ArrayList<>();
            l.add(a);
            l.add(b);
            return l;
        }
    }

    /** reply_to naming the worker's own queue, the dead letters, a stranger's queue, or not a name at all. */
    private Sample forgedReplyTo(int n, Random r, String category) {
        Message m = task(n, ADD, List.of(20, 22));
        // not amq.rabbitmq.reply-to: RabbitMQ closes the channel of a publisher that does not consume from it
        String replyTo = pick(r, queue, "celeriac.dead_letter", "celery", "reply.celery.pidbox", "\u0000\r\n", "../../etc/passwd", "x".repeat(200), UUID.randomUUID() + ".x");
        Map<String, Object> properties = new LinkedHashMap<>(m.properties());
        properties.put("reply_to", replyTo);
        return new Sample(n, category, Expect.GOOD, Sample.marker(n), 42,
                new Message(m.body(), m.contentType(), m.contentEncoding(), m.headers(), properties), null);
    }

    private Sample controlCharacters(int n, Random r, String category) {
        String name = pick(r, ADD + "\u0000", ADD + "\n", "\u001b[2J\u001b[H" + ADD, "demo.\u007fadd",
                ADD + "\r\nINFO Task demo.add succeeded", "\u202e" + ADD, ADD + "\t", "demo.add\u0085",
                "\u2028" + ADD, ADD.repeat(2_000));
        return bad(n, category, task(n, name, List.of(1, 2)));
    }

    /** Celery's first protocol: no headers, the task in the body. */
    private Sample protocolV1(int n, Random r, String category) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task", ADD);
        body.put("id", Sample.marker(n));
        body.put("args", List.of(1, 2));
        body.put("kwargs", Map.of());
        body.put("x-fuzz", Sample.marker(n));
        Map<String, Object> properties = Map.of("correlation_id", Sample.marker(n), "delivery_mode", 2,
                "priority", 0);
        return new Sample(n, category, Expect.BAD, null, null,
                new Message(json(body), "application/json", "utf-8", Map.of("x-fuzz", Sample.marker(n)), properties),
                null);
    }

    // ------------------------------------------------------------------ helpers

    private static Sample bad(int n, String category, Message m) {
        return new Sample(n, category, Expect.BAD, m.taskId(), null, m, null);
    }

    private static Sample tolerated(int n, String category, Message m) {
        return new Sample(n, category, Expect.TOLERATED, m.taskId(), null, m, null);
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static Message with(Message m, String header, Object value) {
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put(header, value);
        return new Message(m.body(), m.contentType(), m.contentEncoding(), headers, m.properties());
    }

    private static Message withBody(Message m, byte[] body) {
        return new Message(body, m.contentType(), m.contentEncoding(), m.headers(), m.properties());
    }

    /** kombu's envelope of a message, as a map to spoil. */
    Map<String, Object> envelope(Message m) {
        Map<String, Object> properties = new LinkedHashMap<>(m.properties());
        properties.put("delivery_info", Map.of("exchange", "", "routing_key", queue));
        properties.putIfAbsent("priority", 0);
        properties.put("body_encoding", "base64");
        properties.put("delivery_tag", UUID.randomUUID().toString());
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("body", Base64.getEncoder().encodeToString(m.body()));
        env.put("content-encoding", m.contentEncoding());
        env.put("content-type", m.contentType());
        env.put("headers", m.headers());
        env.put("properties", properties);
        return env;
    }

    /** JSON as Python's json writes it: NaN and infinities as bare tokens. */
    static byte[] json(Object value) {
        try {
            return LOOSE.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random r, int size) {
        byte[] b = new byte[size];
        r.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
