package org.celeriac.json;

import java.io.IOException;

import org.celeriac.spi.serializer.Serializer;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Celery's {@code json} serializer: UTF-8 JSON, plain values (maps, lists, strings, numbers, booleans, null).
 * Integers decode as {@link Integer}, {@link Long} or {@link java.math.BigInteger} by size, as Python's do
 * (Jackson's default for untyped values).
 */
@Component(service = Serializer.class)
public final class JsonSerializer implements Serializer {

    private final ObjectMapper mapper;

    public JsonSerializer() {
        this.mapper = newMapper();
    }

    /** A mapper configured the way the kernel reads and writes Celery JSON. */
    public static ObjectMapper newMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes NaN and Infinity
                // a document followed by more is broken JSON, as Python's json says ("Extra data"): by default
                // Jackson reads the first value and stops
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // Schubfach rather than Java 17's Double.toString: the shortest digits that read back the same, and faster
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .build();
        // Large payloads are the transport's limit to enforce, not the parser's default of 20 MB strings.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build());
        return mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public String contentEncoding() {
        return "utf-8";
    }

    @Override
    public byte[] encode(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public Object decode(byte[] data) {
        try {
            return mapper.readValue(data, Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }
}
