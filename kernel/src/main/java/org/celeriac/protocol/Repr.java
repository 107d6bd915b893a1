package org.celeriac.protocol;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code repr()} of JSON-like values, for the {@code argsrepr}/{@code kwargsrepr} headers that
 * monitors such as Flower display. Long values are cut as Celery's {@code saferepr} cuts them.
 */
public final class Repr {
    private static final int MAX = 1024;

    private Repr() {
    }

    public static String of(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        if (out.length() > MAX) {
            out.setLength(MAX);
            out.append("...");
        }
        return out.toString();
    }

    private static void write(Object v, StringBuilder out) {
        if (out.length() > MAX) {
            return;
        }
        if (v == null) {
            out.append("None");
        } else if (v instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (v instanceof String s) {
            out.append('\'').append(s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")).append('\'');
        } else if (v instanceof List<?> list) {
            out.append('[');
            join(list.iterator(), out);
            out.append(']');
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                write(e.getKey(), out);
                out.append(": ");
                write(e.getValue(), out);
                if (it.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else {
            out.append(v);
        }
    }

    private static void join(Iterator<?> it, StringBuilder out) {
        while (it.hasNext()) {
            write(it.next(), out);
            if (it.hasNext()) {
                out.append(", ");
            }
        }
    }
}
