package org.celeriac.sql;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON text for JSON-like values ({@code null}, String, Number, Boolean, List, Map). Reading uses Jackson's
 * untyped mapping: integers come back as Integer when they fit, else Long (or BigInteger), decimals as Double.
 */
public final class Json {

    // Configured once here and never changed: ObjectMapper is thread-safe for reading and writing.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** @throws IllegalArgumentException when the value is not JSON-like */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads any JSON value: {@code null}, String, Number, Boolean, List or Map.
     *
     * @throws IllegalArgumentException when the text is not JSON
     */
    public static Object read(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON object; {@code null} or empty text reads as an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(String text) {
        if (text == null || text.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Object value = read(text);
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("JSON is not an object: " + text);
        }
        return (Map<String, Object>) value;
    }
}
