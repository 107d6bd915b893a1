package org.celeriac.security;

/**
 * A message the {@code auth} serializer refuses: unsigned, signed by no trusted certificate, signed by one that is
 * expired or not yet valid, or whose signature does not match its body. Celery raises {@code SecurityError} for the
 * same; the message says which, never a key.
 */
public final class UntrustedMessageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UntrustedMessageException(String reason) {
        super(reason);
    }
}
