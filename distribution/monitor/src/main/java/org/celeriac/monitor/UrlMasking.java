package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.config.UrlPasswords;

/**
 * Passwords out of URLs, as Flower shows a broker ({@code amqp://guest:**@host:5672//}, kombu's {@code as_uri}): see
 * {@link UrlPasswords}. Whatever the monitor passes on from the workers (their {@code conf} and {@code stats}
 * replies) goes through here too, so a worker that reports its URL unmasked does not leak it through the monitor.
 */
public final class UrlMasking {

    private UrlMasking() {
    }

    /** The text with the password of every URL in it masked; null stays null. */
    public static String mask(String text) {
        return UrlPasswords.mask(text);
    }

    /** A copy of a JSON-like tree (maps, lists, scalars) with every string {@linkplain #mask masked}. */
    static Object maskAll(Object value) {
        if (value instanceof String s) {
            return mask(s);
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, maskAll(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(maskAll(v)));
            return out;
        }
        return value;
    }
}
