package org.celeriac.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.celeriac.json.JsonSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;

/** JSON as the command line reads task arguments and prints results, with the kernel's JSON rules. */
final class Json {
    private final JsonSerializer serializer = new JsonSerializer();

    /** @throws IllegalArgumentException with a message fit for the user, naming the option */
    List<Object> array(String option, String text) {
        return read(new TypeReference<List<Object>>() { }, option, text, "a JSON array, e.g. " + option + " '[2,3]'");
    }

    /** @throws IllegalArgumentException with a message fit for the user, naming the option */
    Map<String, Object> object(String option, String text) {
        return read(new TypeReference<Map<String, Object>>() { }, option, text,
                "a JSON object, e.g. " + option + " '{\"x\": 1}'");
    }

    String print(Object value) {
        return new String(serializer.encode(value), StandardCharsets.UTF_8);
    }

    private <T> T read(TypeReference<T> type, String option, String text, String expected) {
        // Trailing garbage ("[2,3] x") is a typo, not something to ignore.
        ObjectReader reader = serializer.mapper().readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        String problem;
        try {
            T value = reader.readValue(text);
            if (value != null) {
                return value;
            }
            problem = "null";
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        }
        throw new IllegalArgumentException(option + " must be " + expected + ", not '" + text + "' (" + problem + ")");
    }
}
