package org.celeriac.worker;

import java.nio.file.Path;

/**
 * How a worker dispatches what it receives, beside {@link WorkerOptions}.
 *
 * @param defaultRateLimit for tasks that declare none ({@code task_default_rate_limit}): {@code "10/s"},
 *                         {@code "100/m"}, {@code "1000/h"} or a number per second; null or empty for none
 * @param maxDeliveries    how often a message may be delivered without being settled (its worker died or hung
 *                         with it) before it is dead-lettered and its task failed; 0 for no limit
 *                         ({@code worker_max_deliveries}, not a Celery setting)
 * @param stateDb          a file where revokes are kept across restarts ({@code worker_state_db}, Celery's
 *                         {@code --statedb}); null to keep them in memory only
 */
public record DispatchOptions(String defaultRateLimit, int maxDeliveries, Path stateDb) {

    /** How often a message may be delivered by default. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;

    public DispatchOptions {
        Rate.perSecond(defaultRateLimit);
        if (maxDeliveries < 0) {
            throw new IllegalArgumentException("max deliveries must be 0 (no limit) or more, not " + maxDeliveries);
        }
    }

    /** As Celery's: no default rate limit, revokes in memory only; and a message delivered at most 5 times. */
    public static DispatchOptions defaults() {
        return new DispatchOptions(null, DEFAULT_MAX_DELIVERIES, null);
    }

    public DispatchOptions withDefaultRateLimit(String limit) {
        return new DispatchOptions(limit, maxDeliveries, stateDb);
    }

    public DispatchOptions withMaxDeliveries(int n) {
        return new DispatchOptions(defaultRateLimit, n, stateDb);
    }

    public DispatchOptions withStateDb(Path file) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, file);
    }
}
