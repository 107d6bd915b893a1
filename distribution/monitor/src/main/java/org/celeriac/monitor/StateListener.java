package org.celeriac.monitor;

import org.celeriac.spi.events.Event;

/**
 * Told of each event once {@link ClusterState} has taken it in, under its lock: so it must be quick and must not
 * block (the live feed marks what changed, the time series counts).
 */
@FunctionalInterface
public interface StateListener {
    /** @param taskName the name of the task a task event is about, as far as it is known; null for others */
    void applied(Event event, String taskName);
}
