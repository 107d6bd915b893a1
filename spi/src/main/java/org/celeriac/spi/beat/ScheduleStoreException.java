package org.celeriac.spi.beat;

/** A schedule store could not be reached or refused an operation; beat retries on its next tick. */
public class ScheduleStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScheduleStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public ScheduleStoreException(String message) {
        super(message);
    }
}
