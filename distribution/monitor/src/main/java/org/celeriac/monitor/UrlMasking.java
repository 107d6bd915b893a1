package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Passwords out of URLs, as Flower shows a broker ({@code amqp://guest:**@host:5672//}, kombu's {@code as_uri}):
 * the password of the user part becomes {@code **}, and so does a {@code password=} query parameter. Whatever the
 * monitor passes on from the workers (their {@code conf} and {@code stats} replies) goes through here too, so a
 * worker that reports its URL unmasked does not leak it through the monitor.
 */
public final class UrlMasking {
    /** {@code scheme://user:password@}: the password, up to the last {@code @} before the path. */
    private static final Pattern USER_PASSWORD = Pattern.compile("(\\w[\\w+.-]*://[^/@:\\s]*:)[^/\\s]*@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;\\s]*");

    private UrlMasking() {
    }

    /** The text with the password of every URL in it masked; null stays null. */
    public static String mask(String text) {
        if (text == null || !text.contains("://")) {
            return text;
        }
        String masked = USER_PASSWORD.matcher(text).replaceAll("$1**@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1**");
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
