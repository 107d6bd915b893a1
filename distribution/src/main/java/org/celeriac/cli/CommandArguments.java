package org.celeriac.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the command line turns words into a remote-control command's arguments, as Celery's {@code Panel.meta}: named
 * positional arguments each of a type, then, for some commands, the rest as one list.
 *
 * @param names    the positional arguments' names, in order
 * @param types    their types: {@code s} text, {@code i} whole number, {@code f} number
 * @param variadic the name the remaining words go under, or null
 */
record CommandArguments(List<String> names, String types, String variadic, String signature) {

    static final Map<String, CommandArguments> INSPECT = Map.ofEntries(
            none("ping"), none("stats"), none("active"), none("reserved"), none("scheduled"), none("revoked"),
            none("active_queues"), none("conf"), none("report"), none("clock"),
            Map.entry("registered", new CommandArguments(List.of(), "", "taskinfoitems", "[attr1 [attr2 ...]]")),
            Map.entry("query_task", new CommandArguments(List.of(), "", "ids", "ID [ID ...]")));

    static final Map<String, CommandArguments> CONTROL = Map.ofEntries(
            Map.entry("revoke", new CommandArguments(List.of(), "", "task_id", "ID [ID ...]")),
            Map.entry("terminate", new CommandArguments(List.of("signal"), "s", "task_id", "SIGNAL ID [ID ...]")),
            Map.entry("revoke_by_stamped_headers",
                    new CommandArguments(List.of(), "", "headers", "NAME=VALUE [NAME=VALUE ...]")),
            Map.entry("rate_limit", new CommandArguments(List.of("task_name", "rate_limit"), "ss", null,
                    "TASK RATE (e.g. 5/s, 5/m, 5/h; 0 or '' for none)")),
            Map.entry("time_limit", new CommandArguments(List.of("task_name", "soft", "hard"), "sff", null,
                    "TASK SOFT_SECONDS [HARD_SECONDS]")),
            Map.entry("pool_grow", new CommandArguments(List.of("n"), "i", null, "[N=1]")),
            Map.entry("pool_shrink", new CommandArguments(List.of("n"), "i", null, "[N=1]")),
            Map.entry("autoscale", new CommandArguments(List.of("max", "min"), "ii", null, "[MAX [MIN]]")),
            Map.entry("add_consumer", new CommandArguments(List.of("queue", "exchange", "exchange_type", "routing_key"),
                    "ssss", null, "QUEUE [EXCHANGE [TYPE [ROUTING_KEY]]]")),
            Map.entry("cancel_consumer", new CommandArguments(List.of("queue"), "s", null, "QUEUE")),
            none("shutdown"), none("enable_events"), none("disable_events"), none("heartbeat"));

    private static Map.Entry<String, CommandArguments> none(String name) {
        return Map.entry(name, new CommandArguments(List.of(), "", null, ""));
    }

    /** The arguments these words make, as Celery's {@code _compile_arguments}. */
    Map<String, Object> compile(String command, List<String> words) {
        Map<String, Object> args = new LinkedHashMap<>();
        int i = 0;
        for (; i < words.size() && i < names.size(); i++) {
            args.put(names.get(i), convert(command, names.get(i), types.charAt(i), words.get(i)));
        }
        List<String> rest = new ArrayList<>(words.subList(i, words.size()));
        if (variadic != null) {
            if (variadic.equals("headers")) {
                args.put(variadic, stamps(rest));
            } else {
                args.put(variadic, rest);
            }
        } else if (!rest.isEmpty()) {
            throw new IllegalArgumentException("command " + command + " takes arguments: " + signature);
        }
        return args;
    }

    private static Object convert(String command, String name, char type, String word) {
        try {
            return switch (type) {
                case 'i' -> Integer.parseInt(word);
                case 'f' -> Double.parseDouble(word);
                default -> word;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": " + name + " must be a number, not '" + word + "'");
        }
    }

    private static Map<String, Object> stamps(List<String> words) {
        Map<String, Object> headers = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("revoke_by_stamped_headers takes NAME=VALUE, not '" + w + "'");
            }
            headers.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return headers;
    }
}
