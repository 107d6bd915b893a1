package org.celeriac.monitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Who may use the monitor: users and passwords (HTTP basic authentication, Flower's {@code --basic-auth},
 * {@link BasicAuth}), and API tokens for scripts ({@code Authorization: Bearer TOKEN}), taken on the API, {@code /metrics} and
 * {@code /healthcheck} only. With either set, a request with neither gets 401; with none set, every request passes.
 * Keeps the SHA-256 of each token, never the token, and compares in constant time; {@link #toString()} says only
 * what kinds are set, so that no secret reaches a log.
 */
public final class ApiAuth {
    /** The users of basic authentication, or null for none. */
    private final BasicAuth basic;
    private final List<byte[]> tokens;

    private ApiAuth(String basicAuth, Collection<String> tokens) {
        this.basic = basicAuth == null ? null : BasicAuth.of(basicAuth);
        List<byte[]> digests = new ArrayList<>();
        for (String t : tokens) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("an API token must not be blank");
            }
            digests.add(sha256(t.strip()));
        }
        this.tokens = List.copyOf(digests);
    }

    /**
     * @param basicAuth {@code user:password} for basic authentication (several separated by commas), or null for none
     * @param tokens    the API tokens, none for no token
     * @throws IllegalArgumentException when a user has no password, or a token is blank
     */
    public static ApiAuth of(String basicAuth, Collection<String> tokens) {
        return new ApiAuth(basicAuth, tokens);
    }

    /** Every request passes. */
    public static ApiAuth none() {
        return new ApiAuth(null, List.of());
    }

    /** The tokens of a comma-separated list (an environment variable's value); none for null or blank. */
    public static List<String> splitTokens(String commaSeparated) {
        List<String> out = new ArrayList<>();
        if (commaSeparated != null) {
            for (String t : commaSeparated.split(",")) {
                if (!t.isBlank()) {
                    out.add(t.strip());
                }
            }
        }
        return out;
    }

    /** Whether requests must authenticate at all. */
    public boolean required() {
        return basic != null || !tokens.isEmpty();
    }

    /** Whether a request for {@code path} with this {@code Authorization} header (or null) may proceed. */
    boolean permits(String path, String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        if (basic != null && basic.accepts(authorization)) {
            return true;
        }
        if (tokens.isEmpty() || !forScripts(path) || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = sha256(authorization.substring(7).strip());
        boolean match = false;
        for (byte[] t : tokens) {
            match |= MessageDigest.isEqual(t, given); // no early exit: every token is compared
        }
        return match;
    }

    /** The paths scripts call: Flower's API, Prometheus' scrape, the load balancer's health check. */
    private static boolean forScripts(String path) {
        return path.startsWith("/api/") || path.equals("/metrics") || path.equals("/healthcheck");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ApiAuth[basic=" + (basic != null) + ", tokens=" + tokens.size() + "]";
    }
}
