package org.celeriac.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which queue a task goes to by its name, as Celery's {@code task_routes} in its dict form
 * ({@code {'feed.tasks.*': {'queue': 'feeds'}}}): an exact name first, then the glob patterns in the order given
 * ({@code *} any characters, dots included, {@code ?} one), as Python's {@code fnmatch}. Immutable.
 */
public final class TaskRoutes {
    private static final TaskRoutes NONE = new TaskRoutes(Map.of(), List.of());

    private final Map<String, String> exact;
    private final List<Map.Entry<Pattern, String>> globs;

    private TaskRoutes(Map<String, String> exact, List<Map.Entry<Pattern, String>> globs) {
        this.exact = exact;
        this.globs = globs;
    }

    public static TaskRoutes none() {
        return NONE;
    }

    /** Routes from pattern to queue, in the order of the map's iteration. */
    public static TaskRoutes of(Map<String, String> routes) {
        Map<String, String> exact = new LinkedHashMap<>();
        List<Map.Entry<Pattern, String>> globs = new ArrayList<>();
        routes.forEach((pattern, queue) -> {
            if (pattern.isBlank() || queue == null || queue.isBlank()) {
                throw new IllegalArgumentException("a task route needs a task name or pattern and a queue, not '"
                        + pattern + "' to '" + queue + "'");
            }
            if (pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0) {
                globs.add(Map.entry(glob(pattern), queue));
            } else {
                exact.putIfAbsent(pattern, queue);
            }
        });
        return new TaskRoutes(Map.copyOf(exact), List.copyOf(globs));
    }

    /**
     * Routes as the {@code task_routes} setting writes them: {@code PATTERN:QUEUE} pairs, comma separated, as
     * {@code feed.*:feeds,web.*:web,shop.invoice:billing}.
     *
     * @throws IllegalArgumentException for a pair without a pattern and a queue
     */
    public static TaskRoutes parse(String setting) {
        Map<String, String> routes = new LinkedHashMap<>();
        if (setting != null) {
            for (String pair : setting.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int colon = pair.lastIndexOf(':');
                if (colon <= 0 || colon == pair.length() - 1) {
                    throw new IllegalArgumentException("task_routes takes PATTERN:QUEUE pairs, comma separated, not '"
                            + pair.strip() + "'");
                }
                routes.putIfAbsent(pair.substring(0, colon).strip(), pair.substring(colon + 1).strip());
            }
        }
        return of(routes);
    }

    /** The queue routed to for a task, if any route matches. */
    public Optional<String> queueFor(String task) {
        String q = exact.get(task);
        if (q != null) {
            return Optional.of(q);
        }
        for (Map.Entry<Pattern, String> g : globs) {
            if (g.getKey().matcher(task).matches()) {
                return Optional.of(g.getValue());
            }
        }
        return Optional.empty();
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        int literal = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?') {
                if (literal < i) {
                    re.append(Pattern.quote(pattern.substring(literal, i)));
                }
                re.append(c == '*' ? ".*" : ".");
                literal = i + 1;
            }
        }
        if (literal < pattern.length()) {
            re.append(Pattern.quote(pattern.substring(literal)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
