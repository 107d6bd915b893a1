package org.celeriac.monitor;

/**
 * An error answered as Flower answers it: its task handlers send the status alone, its worker and control handlers
 * the reason as text ({@code Unknown worker 'NAME'}, {@code Missing argument queue}).
 */
final class FlowerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    /** The body, or null for none. */
    final String message;

    private FlowerError(int status, String message) {
        super(status + (message == null ? "" : " " + message), null, false, false);
        this.status = status;
        this.message = message;
    }

    static FlowerError bare(int status) {
        return new FlowerError(status, null);
    }

    static FlowerError text(int status, String message) {
        return new FlowerError(status, message);
    }
}
