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
            // no more than is shown: a hostile string may be megabytes
            out.append('\'').append(escape(s.length() > MAX ? s.substring(0, MAX + 1) : s)).append('\'');
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

    /**
     * A string's characters as they stand between the quotes of Python's repr: backslash and quote escaped, and what
     * Python does not print (controls, format characters such as U+202E, separators) escaped as Python escapes them,
     * so that a task name or argument shown in a log line cannot forge lines or move a terminal's cursor.
     */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\'' -> out.append("\\'");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (printable(c)) {
                        out.appendCodePoint(c);
                    } else if (c <= 0xff) {
                        out.append(String.format("\\x%02x", c));
                    } else if (c <= 0xffff) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.append(String.format("\\U%08x", c));
                    }
                }
            }
        }
        return out.toString();
    }

    /** Python's {@code str.isprintable} for one character. */
    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
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
