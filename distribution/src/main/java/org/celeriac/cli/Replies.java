package org.celeriac.cli;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Prints remote-control replies as Celery's command line does: {@code ->  w1@host: OK} and the reply indented below
 * it, lists as {@code * item} lines, mappings as sorted, indented JSON; or, with {@code --json}, all of them as one
 * JSON object by node name.
 */
final class Replies {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Replies() {
    }

    static void print(Map<String, Object> replies, boolean json, boolean showReply, PrintWriter out) {
        if (json) {
            out.println(new Json().print(replies));
            return;
        }
        for (Map.Entry<String, Object> r : replies.entrySet()) {
            boolean error = r.getValue() instanceof Map<?, ?> m && m.containsKey("error") && !m.containsKey("ok");
            out.println("->  " + r.getKey() + ": " + (error ? "ERROR" : "OK"));
            if (showReply) {
                out.println(indent(pretty(r.getValue()), 4));
            }
        }
    }

    /** Celery's {@code pretty}: the {@code ok} or {@code error} value of a status reply, indented once more. */
    static String pretty(Object reply) {
        if (reply instanceof Collection<?> items) {
            if (items.isEmpty()) {
                return "- empty -";
            }
            StringBuilder s = new StringBuilder();
            for (Object item : items) {
                s.append(s.length() == 0 ? "" : "\n").append("* ").append(item instanceof String str ? str
                        : new Json().print(item));
            }
            return s.toString();
        }
        if (reply instanceof Map<?, ?> m) {
            if (m.containsKey("ok")) {
                return indent(pretty(m.get("ok")), 4);
            }
            if (m.containsKey("error")) {
                return indent(pretty(m.get("error")), 4);
            }
            try {
                return PRETTY.writeValueAsString(m);
            } catch (JsonProcessingException e) {
                return String.valueOf(m);
            }
        }
        return reply == null ? "None" : String.valueOf(reply);
    }

    static String indent(String text, int by) {
        String pad = " ".repeat(by);
        return pad + text.replace("\n", "\n" + pad);
    }

    static String nodes(int n) {
        return n + (n == 1 ? " node" : " nodes");
    }
}
