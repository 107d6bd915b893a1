package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flower's task search ({@code /api/tasks?search=...}): terms split at spaces and commas outside double quotes;
 * {@code result:TEXT}, {@code args:TEXT} (each), {@code kwargs:KEY=VALUE} (each), {@code state:STATE} (any), and
 * otherwise text anywhere in the name, id, state, worker, arguments or result. A task matches when any kind of term
 * given matches; no terms match every task.
 */
record TaskSearch(String any, String result, List<String> args, Map<String, String> kwargs, List<String> states) {
    private static final Pattern TERM = Pattern.compile("(?:[^\\s,\"]|\"(?:\\\\.|[^\"])*\")+");

    static TaskSearch parse(String raw) {
        String any = null;
        String result = null;
        List<String> args = new ArrayList<>();
        Map<String, String> kwargs = new LinkedHashMap<>();
        List<String> states = new ArrayList<>();
        if (raw != null) {
            Matcher m = TERM.matcher(raw);
            while (m.find()) {
                String term = m.group();
                if (term.startsWith("result:")) {
                    result = value(term.substring("result:".length()));
                } else if (term.startsWith("args:")) {
                    args.add(value(term.substring("args:".length())));
                } else if (term.startsWith("kwargs:")) {
                    String[] kv = term.substring("kwargs:".length()).split("=");
                    if (kv.length == 2) {
                        kwargs.put(kv[0].strip(), value(kv[1].strip()));
                    }
                } else if (term.startsWith("state")) {
                    states.add(value(term.length() > "state:".length() ? term.substring("state:".length()) : ""));
                } else {
                    any = value(term);
                }
            }
        }
        return new TaskSearch(any, result, args, kwargs, states);
    }

    /** Flower strips quotes and spaces from either end of a value. */
    private static String value(String raw) {
        return raw.replaceAll("^[\" ]+|[\" ]+$", "");
    }

    private boolean none() {
        return empty(any) && empty(result) && args.isEmpty() && kwargs.isEmpty() && states.isEmpty();
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    boolean matches(TaskView t) {
        if (none()) {
            return true;
        }
        if (!states.isEmpty() && states.contains(t.state())) {
            return true;
        }
        if (!empty(any)) {
            StringBuilder all = new StringBuilder();
            for (Object part : new Object[] {t.name(), t.uuid(), t.state(), t.worker(), t.get("args"), t.get("kwargs"),
                    t.get("result")}) {
                if (part != null && !part.toString().isEmpty()) {
                    all.append(all.length() > 0 ? "|" : "").append(part);
                }
            }
            if (all.toString().contains(any)) {
                return true;
            }
        }
        if (!empty(result) && t.get("result") instanceof String r && r.contains(result)) {
            return true;
        }
        if (!kwargs.isEmpty() && t.get("kwargs") instanceof String k
                && kwargs.entrySet().stream().allMatch(e -> kwargHas(k, e.getKey(), e.getValue()))) {
            return true;
        }
        return !args.isEmpty() && t.get("args") instanceof String a && args.stream().allMatch(a::contains);
    }

    /** Whether a Python dict's repr, {@code {'key': value, ...}}, has {@code key} with {@code value}. */
    private static boolean kwargHas(String dict, String key, String value) {
        int at = dict.indexOf("'" + key + "': ");
        if (at < 0) {
            return false;
        }
        int from = at + key.length() + 4;
        int end = dict.indexOf(',', from);
        if (end < 0) {
            end = dict.indexOf('}', from);
        }
        return end >= 0 && dict.substring(from, end).strip().replaceAll("^[\"']+|[\"']+$", "").equals(value);
    }
}
