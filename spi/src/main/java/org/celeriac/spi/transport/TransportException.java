package org.celeriac.spi.transport;

/** The broker could not be reached or refused an operation. Callers may retry after a back-off. */
public class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransportException(String message) {
        super(message);
    }
}
