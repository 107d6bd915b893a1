package org.celeriac.monitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The users of Flower's {@code --basic-auth}: {@code user:password}, several separated by commas. A request is let
 * in when its {@code Authorization} header names one of them; with no user at all every request is.
 */
final class BasicAuth {
    private final List<byte[]> headers;

    private BasicAuth(List<byte[]> headers) {
        this.headers = headers;
    }

    /**
     * @param users {@code user:password[,user:password...]}, or null for none
     * @throws IllegalArgumentException when an entry has no user or no colon
     */
    static BasicAuth of(String users) {
        List<byte[]> headers = new ArrayList<>();
        if (users != null) {
            for (String user : users.split(",")) {
                String entry = user.trim();
                if (entry.indexOf(':') < 1) {
                    throw new IllegalArgumentException("basic auth must be USER:PASSWORD, several separated by commas");
                }
                headers.add(("Basic " + Base64.getEncoder().encodeToString(entry.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return new BasicAuth(List.copyOf(headers));
    }

    /** Whether a request with this {@code Authorization} header (or null) is let in; compared in constant time. */
    boolean accepts(String authorization) {
        if (headers.isEmpty()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        byte[] given = authorization.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] header : headers) {
            match |= MessageDigest.isEqual(header, given);
        }
        return match;
    }
}
