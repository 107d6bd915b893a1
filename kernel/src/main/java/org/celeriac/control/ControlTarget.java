package org.celeriac.control;

import java.time.Duration;
import java.util.List;

/**
 * Whom a remote-control command is for and how long its caller waits for replies, as Celery's {@code destination},
 * {@code pattern}/{@code matcher}, {@code timeout} and {@code limit}.
 *
 * @param destination node names; empty for every node (unless a pattern is given)
 * @param pattern     a pattern node names must match, or null
 * @param matcher     {@code glob} or {@code pcre}, with a pattern
 * @param timeout     how long to wait for the next reply; the wait ends once none comes for this long
 * @param limit       stop after this many replies; 0 for no limit (the destination's size when one is given)
 */
public record ControlTarget(List<String> destination, String pattern, String matcher, Duration timeout, int limit) {
    /** Celery's default timeout for inspect and control commands. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public ControlTarget {
        destination = destination == null ? List.of() : List.copyOf(destination);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if ((pattern == null) != (matcher == null)) {
            throw new IllegalArgumentException("a pattern needs a matcher (glob or pcre), and a matcher a pattern");
        }
    }

    /** Every node, Celery's default timeout. */
    public static ControlTarget all() {
        return new ControlTarget(List.of(), null, null, DEFAULT_TIMEOUT, 0);
    }

    /** These nodes only; the wait ends when each has replied. */
    public static ControlTarget to(List<String> nodes) {
        return new ControlTarget(nodes, null, null, DEFAULT_TIMEOUT, 0);
    }

    /** Nodes whose name matches, by {@code glob} or {@code pcre}. */
    public static ControlTarget matching(String pattern, String matcher) {
        return new ControlTarget(List.of(), pattern, matcher, DEFAULT_TIMEOUT, 0);
    }

    public ControlTarget withTimeout(Duration t) {
        return new ControlTarget(destination, pattern, matcher, t, limit);
    }

    public ControlTarget withLimit(int n) {
        return new ControlTarget(destination, pattern, matcher, timeout, n);
    }

    /** The replies to wait for at most: the limit, else as many as nodes named, else no bound. */
    int replyLimit() {
        return limit > 0 ? limit : destination.size();
    }
}
