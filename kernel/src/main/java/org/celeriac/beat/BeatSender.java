package org.celeriac.beat;

/** Sends an entry's task to the broker, as a client's {@code apply_async} does; returns the new task's id. */
@FunctionalInterface
public interface BeatSender {
    String send(BeatEntry entry);
}
