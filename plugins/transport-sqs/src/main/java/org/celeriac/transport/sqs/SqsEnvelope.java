package org.celeriac.transport.sqs;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.celeriac.spi.transport.Message;

/**
 * An SQS message body as kombu writes one: kombu's virtual-transport envelope ({@code {"body": base64,
 * "content-encoding", "content-type", "headers", "properties": {"body_encoding": "base64", "delivery_info",
 * "delivery_tag", "priority", ...}}}) as JSON, the whole base64'd again (kombu's {@code sqs_base64_encoding}, on by
 * default). Read back either way, base64'd or plain JSON, as kombu reads it.
 */
final class SqsEnvelope {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private SqsEnvelope() {
    }

    /** The SQS message body for a message sent to {@code queue} (Celery's name, kombu's routing key). */
    static String encode(Message m, String queue) {
        Map<String, Object> properties = new LinkedHashMap<>(m.properties());
        Map<String, Object> deliveryInfo = new LinkedHashMap<>();
        deliveryInfo.put("exchange", "");
        deliveryInfo.put("routing_key", queue);
        properties.put("delivery_info", deliveryInfo);
        properties.putIfAbsent("priority", 0);
        properties.put("body_encoding", "base64");
        properties.put("delivery_tag", UUID.randomUUID().toString());
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", Base64.getEncoder().encodeToString(m.body()));
        envelope.put("content-encoding", m.contentEncoding());
        envelope.put("content-type", m.contentType());
        envelope.put("headers", m.headers());
        envelope.put("properties", properties);
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot encode as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A message's FIFO group: its {@code MessageGroupId} property, else kombu's {@code default}. */
    static String groupId(Message m) {
        return m.properties().get("MessageGroupId") instanceof String s ? s : "default";
    }

    /** A message's FIFO deduplication id: its {@code MessageDeduplicationId} property, else a new UUID, as kombu's. */
    static String deduplicationId(Message m) {
        return m.properties().get("MessageDeduplicationId") instanceof String s ? s : UUID.randomUUID().toString();
    }

    /** Reads an SQS message body: kombu's envelope, base64'd or not; any other JSON becomes the body itself. */
    static Message decode(String sqsBody) {
        byte[] json = maybeBase64(sqsBody);
        Map<String, Object> env;
        try {
            env = JSON.readValue(json, MAP);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Not a kombu envelope: " + e.getMessage(), e);
        }
        if (!(env.get("properties") instanceof Map<?, ?>)) {
            // JSON that kombu did not write: kombu hands it over as the body, and so do we
            return new Message(json, "application/json", "utf-8", Map.of(), Map.of());
        }
        Map<String, Object> headers = asMap(env.get("headers"));
        Map<String, Object> properties = new LinkedHashMap<>(asMap(env.get("properties")));
        String encoding = env.get("content-encoding") instanceof String s ? s : "utf-8";
        String contentType = env.get("content-type") instanceof String s ? s : "application/data";
        Object body = env.get("body");
        byte[] bytes;
        if (body == null) {
            bytes = new byte[0];
        } else if ("base64".equals(properties.get("body_encoding"))) {
            bytes = Base64.getMimeDecoder().decode(body.toString());
        } else {
            bytes = body.toString().getBytes(charset(encoding));
        }
        return new Message(bytes, contentType, encoding, headers, properties);
    }

    /** kombu's test: the text is base64 when it decodes and encodes back to itself. */
    private static byte[] maybeBase64(String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] decoded = Base64.getDecoder().decode(raw);
            if (Arrays.equals(Base64.getEncoder().encode(decoded), raw)) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // not base64: plain JSON
        }
        return raw;
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
}
