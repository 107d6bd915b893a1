package org.celeriac.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import redis.clients.jedis.HostAndPort;

/**
 * A parsed {@code redis://[[user]:password@]host[:port][/db][?options]} or {@code rediss://} (TLS) URL, as kombu and
 * redis-py read it, with the options map merged in (the URL's query wins). It reads the options both Redis plugins
 * take, {@code socket_timeout} and {@code socket_connect_timeout} (seconds) and {@code max_connections}; a plugin
 * reads its own from {@link #options()} with {@link #seconds}. {@link #toString()} never shows the password.
 *
 * @param options the options map and the URL's query merged, for options that only one plugin knows
 */
public record RedisUrl(String host, int port, int db, String user, String password, boolean ssl,
                       int socketTimeoutMillis, int connectTimeoutMillis, int maxConnections,
                       Map<String, String> options) {

    static final int DEFAULT_PORT = 6379;
    static final int DEFAULT_SOCKET_TIMEOUT_MS = 10_000;
    static final int DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

    /**
     * @param options settings, may be null
     * @param defaultMaxConnections the pool size without {@code max_connections}: each plugin sizes its own pool
     */
    public static RedisUrl parse(String url, Map<String, String> options, int defaultMaxConnections) {
        URI uri;
        try {
            // redis:// and redis:///1 name the local server, as in redis-py
            uri = new URI(url.replaceFirst("^([A-Za-z]+)://(?=/|\\?|$)", "$1://localhost")).parseServerAuthority();
        } catch (URISyntaxException e) {
            // the reason, not the input: the URL may hold a password
            throw new IllegalArgumentException("Not a Redis URL (redis://host:port/db): " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("Not a redis:// or rediss:// URL: scheme " + scheme);
        }
        String host = uri.getHost() == null || uri.getHost().isEmpty() ? "localhost" : uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 address
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        int db = 0;
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("The Redis database is a number, not " + path.substring(1));
            }
        }
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            if (colon < 0) {
                password = decode(info); // redis://secret@host, as redis-py reads it
            } else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
        Map<String, String> all = new LinkedHashMap<>(options == null ? Map.of() : options);
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                all.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        int socketTimeout = (int) seconds(all, "socket_timeout", Duration.ofMillis(DEFAULT_SOCKET_TIMEOUT_MS)).toMillis();
        int connectTimeout = (int) seconds(all, "socket_connect_timeout",
                Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MS)).toMillis();
        int maxConnections = defaultMaxConnections;
        if (all.containsKey("max_connections")) {
            try {
                maxConnections = Integer.parseInt(all.get("max_connections").trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max_connections is a number, not " + all.get("max_connections"));
            }
        }
        return new RedisUrl(host, port, db, user, password, scheme.equals("rediss"), socketTimeout, connectTimeout,
                maxConnections, Collections.unmodifiableMap(all));
    }

    /**
     * The option {@code key}, a number of seconds as kombu takes it ({@code 2.5}); {@code fallback} when it is
     * missing, blank or {@code None}.
     */
    public Duration seconds(String key, Duration fallback) {
        return seconds(options, key, fallback);
    }

    private static Duration seconds(Map<String, String> all, String key, Duration fallback) {
        String v = all.get(key);
        if (v == null || v.isBlank() || v.equalsIgnoreCase("none")) {
            return fallback;
        }
        try {
            return Duration.ofNanos(Math.round(Double.parseDouble(v.trim()) * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a number of seconds, not " + v);
        }
    }

    /** Percent-decoding; a plus stays a plus (it means a space only in form data), as redis-py reads it. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public HostAndPort address() {
        return new HostAndPort(host, port);
    }

    /** {@code host:port/db}, for messages: no password. */
    public String where() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
    }

    @Override
    public String toString() {
        return (ssl ? "rediss://" : "redis://") + (password != null || user != null ? "***@" : "") + where();
    }
}
