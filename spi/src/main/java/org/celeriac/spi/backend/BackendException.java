package org.celeriac.spi.backend;

/** The result store could not be reached or refused an operation. Callers may retry after a back-off. */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }

    public BackendException(String message) {
        super(message);
    }
}
