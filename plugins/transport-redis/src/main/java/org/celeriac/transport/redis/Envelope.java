package org.celeriac.transport.redis;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.celeriac.spi.transport.Message;

/**
 * kombu's virtual-transport envelope, as LPUSHed on a Redis list or PUBLISHed on a fanout channel:
 * {@code {"body": base64, "content-encoding", "content-type", "headers", "properties": {..., "body_encoding":
 * "base64", "delivery_tag", "delivery_info": {"exchange", "routing_key"}, "priority"}}}.
 */
final class Envelope {

    /**
     * Strings of any length: a body's size is the worker's {@code message_max_bytes} to judge, not the parser's
     * default limit of 20 million characters, which a 15 MB body base64'd passes.
     */
    private static final StreamReadConstraints UNLIMITED_STRINGS = StreamReadConstraints.builder()
            .maxStringLength(Integer.MAX_VALUE).build();
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(UNLIMITED_STRINGS).build());
    /** For rewriting stored envelopes (restore): keeps numbers exactly as written. */
    private static final ObjectMapper TREE = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(UNLIMITED_STRINGS).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    /** Prepared once: readValue(..., Class) looks the deserializer up on every call. */
    private static final ObjectReader READER = JSON.readerFor(Object.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // an envelope followed by more is none
    private static final ObjectWriter WRITER = JSON.writer();

    private Envelope() {
    }

    /** A decoded envelope: the message, kombu's delivery tag, and whether kombu marked it redelivered. */
    record Decoded(Message message, String deliveryTag, String exchange, String routingKey, boolean redelivered) {
    }

    /** The envelope map for a message published to {@code exchange} with {@code routingKey}, with a new delivery tag. */
    static Map<String, Object> encode(Message m, String exchange, String routingKey) {
        Map<String, Object> properties = new LinkedHashMap<>(m.properties());
        Map<String, Object> deliveryInfo = new LinkedHashMap<>();
        deliveryInfo.put("exchange", exchange);
        deliveryInfo.put("routing_key", routingKey);
        properties.put("delivery_info", deliveryInfo);
        properties.putIfAbsent("priority", 0);
        properties.put("body_encoding", "base64");
        properties.put("delivery_tag", newDeliveryTag());
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", Base64.getEncoder().encodeToString(m.body()));
        envelope.put("content-encoding", m.contentEncoding());
        envelope.put("content-type", m.contentType());
        envelope.put("headers", new LinkedHashMap<>(m.headers()));
        envelope.put("properties", properties);
        return envelope;
    }

    /**
     * The same envelope as {@link #encode}, as UTF-8 JSON written straight out: the body base64'd into the output, no
     * maps in between. For events, which a busy worker publishes by the tens of thousands a second.
     */
    static byte[] encodeBytes(Message m, String exchange, String routingKey) {
        ByteArrayBuilder out = new ByteArrayBuilder(m.body().length * 4 / 3 + 512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("body");
            // kombu's base64: standard alphabet, padded. The JDK's encoder, which the JIT compiles to vector
            // instructions, rather than the generator's: for events that made the sink thread the worker's busiest.
            byte[] body = Base64.getEncoder().encode(m.body());
            g.writeRawUTF8String(body, 0, body.length);
            g.writeStringField("content-encoding", m.contentEncoding());
            g.writeStringField("content-type", m.contentType());
            g.writeFieldName("headers");
            JSON.writeValue(g, m.headers());
            g.writeObjectFieldStart("properties");
            boolean priority = false;
            for (Map.Entry<String, Object> p : m.properties().entrySet()) {
                switch (p.getKey()) {
                    case "delivery_info", "body_encoding", "delivery_tag" -> {
                        continue; // ours, below
                    }
                    case "priority" -> priority = true;
                    default -> {
                    }
                }
                g.writeFieldName(p.getKey());
                JSON.writeValue(g, p.getValue());
            }
            g.writeObjectFieldStart("delivery_info");
            g.writeStringField("exchange", exchange);
            g.writeStringField("routing_key", routingKey);
            g.writeEndObject();
            if (!priority) {
                g.writeNumberField("priority", 0);
            }
            g.writeStringField("body_encoding", "base64");
            g.writeStringField("delivery_tag", newDeliveryTag());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot encode as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * A random version 4 UUID, as kombu's tags are. From ThreadLocalRandom rather than UUID.randomUUID: a tag
     * only needs to be unique, and SecureRandom serializes concurrent senders on one lock.
     */
    static String newDeliveryTag() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    static String toJson(Object value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot encode as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Decodes an envelope's JSON text. */
    static Decoded decode(String raw) {
        Object env;
        try {
            env = READER.readValue(raw);
        } catch (JsonProcessingException e) {
            throw notAnEnvelope("not JSON (" + e.getOriginalMessage() + ")", e);
        }
        return decoded(env);
    }

    /**
     * Decodes an envelope as it lay on a list: UTF-8 JSON. Throws {@link IllegalArgumentException} saying what is
     * wrong for anything else: not JSON (or not UTF-8), not an object, no string {@code body}, headers or properties
     * that are not objects, a base64 body that is not base64.
     */
    static Decoded decode(byte[] raw) {
        Object env;
        try {
            env = READER.readValue(raw);
        } catch (IOException e) {
            throw notAnEnvelope("not JSON (" + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage()) + ")", e);
        }
        return decoded(env);
    }

    @SuppressWarnings("unchecked")
    private static Decoded decoded(Object parsed) {
        if (!(parsed instanceof Map<?, ?> m)) {
            throw notAnEnvelope("not a JSON object", null);
        }
        Map<String, Object> env = (Map<String, Object>) m;
        if (!(env.get("body") instanceof String body)) {
            throw notAnEnvelope(env.containsKey("body") ? "'body' is not a string" : "no 'body'", null);
        }
        Map<String, Object> headers = object(env, "headers");
        Map<String, Object> properties = object(env, "properties");
        String encoding = env.get("content-encoding") instanceof String s ? s : "utf-8";
        String contentType = env.get("content-type") instanceof String s ? s : "application/data";
        byte[] bytes;
        if ("base64".equals(properties.get("body_encoding"))) {
            try {
                bytes = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw notAnEnvelope("body is not base64 (" + e.getMessage() + ")", e);
            }
        } else {
            bytes = body.getBytes(charset(encoding));
        }
        Map<String, Object> info = asMap(properties.get("delivery_info"));
        boolean redelivered = Boolean.TRUE.equals(info.get("redelivered"))
                || Boolean.TRUE.equals(headers.get("redelivered"));
        String tag = properties.get("delivery_tag") instanceof String s ? s : null;
        String exchange = info.get("exchange") instanceof String s ? s : "";
        String routingKey = info.get("routing_key") instanceof String s ? s : "";
        return new Decoded(new Message(bytes, contentType, encoding, headers, properties), tag, exchange, routingKey,
                redelivered);
    }

    /** An envelope's object field, empty when absent or null. */
    private static Map<String, Object> object(Map<String, Object> env, String name) {
        Object v = env.get(name);
        if (v != null && !(v instanceof Map<?, ?>)) {
            throw notAnEnvelope("'" + name + "' is not an object", null);
        }
        return asMap(v);
    }

    private static IllegalArgumentException notAnEnvelope(String why, Throwable cause) {
        return new IllegalArgumentException("not a kombu envelope: " + why, cause);
    }

    /**
     * An {@code unacked} entry taken apart for a restore: the payload to push back, its envelope marked redelivered
     * as kombu does, or the bytes as they came for an entry that is no envelope.
     */
    record Restorable(byte[] payload, String exchange, String routingKey, int priority) {
    }

    static Restorable forRestore(byte[] entry) {
        JsonNode node;
        try {
            node = TREE.readTree(entry);
        } catch (IOException e) {
            return unreadableEntry(entry, e);
        }
        if (!(node instanceof ArrayNode a) || a.size() < 3 || !(a.get(0) instanceof ObjectNode env)) {
            return unreadableEntry(entry, null);
        }
        // kombu's Channel._do_restore_message sets both flags
        if (env.get("headers") instanceof ObjectNode h) {
            h.put("redelivered", true);
        }
        int priority = 0;
        if (env.get("properties") instanceof ObjectNode p) {
            if (p.get("delivery_info") instanceof ObjectNode di) {
                di.put("redelivered", true);
            }
            if (p.get("priority") != null && p.get("priority").isNumber()) {
                priority = p.get("priority").asInt();
            }
        }
        try {
            return new Restorable(TREE.writeValueAsBytes(env), a.get(1).asText(""), a.get(2).asText(""), priority);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write the envelope back: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The entry the pop script records for what is no envelope, {@code [raw, "exchange", "routing key"]} with the raw
     * bytes as they came, taken apart from its end: the two strings there hold no unescaped quote.
     */
    private static Restorable unreadableEntry(byte[] entry, Throwable cause) {
        int n = entry.length;
        if (n >= 10 && entry[0] == '[' && entry[n - 1] == ']' && entry[n - 2] == '"') {
            int rkStart = openingQuote(entry, n - 2);
            if (rkStart > 4 && entry[rkStart - 1] == ' ' && entry[rkStart - 2] == ',' && entry[rkStart - 3] == '"') {
                int exStart = openingQuote(entry, rkStart - 3);
                if (exStart > 2 && entry[exStart - 1] == ' ' && entry[exStart - 2] == ',') {
                    try {
                        String exchange = JSON.readValue(entry, exStart, rkStart - 2 - exStart, String.class);
                        String routingKey = JSON.readValue(entry, rkStart, n - 1 - rkStart, String.class);
                        return new Restorable(java.util.Arrays.copyOfRange(entry, 1, exStart - 2), exchange,
                                routingKey, 0);
                    } catch (IOException e) {
                        // not ours either
                    }
                }
            }
        }
        throw new IllegalArgumentException("Not a kombu unacked entry", cause);
    }

    /** The quote that opens the JSON string whose closing quote is at {@code close}, or -1. */
    private static int openingQuote(byte[] b, int close) {
        for (int i = close - 1; i >= 0; i--) {
            if (b[i] == '"') {
                int slashes = 0;
                for (int k = i - 1; k >= 0 && b[k] == '\\'; k--) {
                    slashes++;
                }
                if (slashes % 2 == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Charset charset(String encoding) {
        try {
            return Charset.forName(encoding);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    static List<Object> parseList(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<Object>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }
}
