package org.celeriac.transport.amqp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.LongString;

/**
 * Between JSON-like header values and AMQP field-table values. Going out, values the client cannot write (a
 * {@link BigInteger}, an array, other objects) become a number or a string. Coming in, the client's
 * {@link LongString}s become strings (py-amqp sends every str as one) and nested tables and arrays are converted
 * alike, so headers read back equal to those published.
 */
final class FieldValues {

    private FieldValues() {
    }

    static Map<String, Object> toTable(Map<String, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>(map.size() * 2);
        map.forEach((k, v) -> out.put(k, toField(v)));
        return out;
    }

    private static Object toField(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Double || v instanceof Float || v instanceof Short || v instanceof Byte
                || v instanceof BigDecimal || v instanceof byte[]) {
            return v;
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : new BigDecimal(b);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>(m.size() * 2);
            m.forEach((k, x) -> out.put(String.valueOf(k), toField(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(x -> out.add(toField(x)));
            return out;
        }
        if (v instanceof Object[] a) {
            return toField(java.util.Arrays.asList(a));
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return v.toString();
    }

    static Map<String, Object> fromTable(Map<String, Object> table) {
        if (table == null) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>(table.size() * 2);
        table.forEach((k, v) -> out.put(k, fromField(v)));
        return out;
    }

    private static Object fromField(Object v) {
        if (v instanceof LongString s) {
            return s.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>(m.size() * 2);
            m.forEach((k, x) -> out.put(String.valueOf(k), fromField(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(fromField(x)));
            return out;
        }
        if (v instanceof java.util.Date d) {
            // AMQP timestamps are whole seconds
            return d.getTime() / 1000;
        }
        return v;
    }
}
