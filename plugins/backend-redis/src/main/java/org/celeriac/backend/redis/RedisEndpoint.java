package org.celeriac.backend.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * Where a Redis result backend lives: {@code redis://[[user]:password@]host[:port][/db][?option=value...]}, or
 * {@code rediss://} for TLS (the JVM's default trust store). {@link #toString()} never shows the password.
 *
 * <p>Options (from settings, the URL's query parameters win): {@code socket_timeout} and
 * {@code socket_connect_timeout} in seconds, {@code max_connections}. Others are ignored.
 */
record RedisEndpoint(String host, int port, int db, boolean tls, String user, String password,
                     int socketTimeoutMillis, int connectTimeoutMillis, int maxConnections) {

    static RedisEndpoint parse(String url, Map<String, String> options) {
        URI uri;
        try {
            // redis:// and redis:///1 name the local server, as in redis-py
            uri = new URI(url.replaceFirst("^([A-Za-z]+)://(?=/|\\?|$)", "$1://localhost"));
        } catch (URISyntaxException e) {
            // the message quotes the URL, which may hold a password
            throw new IllegalArgumentException("Not a Redis URL (redis://[:password@]host[:port][/db])");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalArgumentException("Not a redis:// or rediss:// URL: scheme " + scheme);
        }
        String host = uri.getHost() == null || uri.getHost().isEmpty() ? "localhost" : uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            if (colon < 0) {
                password = decode(info); // redis://secret@host, as redis-py reads it
            } else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
        }
        int db = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Redis URL path must be a database number, not " + path);
            }
        }
        Map<String, String> opts = new LinkedHashMap<>(options == null ? Map.of() : options);
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    opts.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
        }
        return new RedisEndpoint(host, port, db, scheme.equals("rediss"), user, password,
                seconds(opts, "socket_timeout", 10_000), seconds(opts, "socket_connect_timeout", 5_000),
                Integer.parseInt(opts.getOrDefault("max_connections", "16")));
    }

    private static int seconds(Map<String, String> opts, String key, int defaultMillis) {
        String v = opts.get(key);
        if (v == null || v.isBlank() || v.equals("None")) {
            return defaultMillis;
        }
        return (int) Math.round(Double.parseDouble(v) * 1000);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    HostAndPort hostAndPort() {
        return new HostAndPort(host, port);
    }

    /** Client settings; {@code socketTimeoutMillis} 0 blocks forever. */
    JedisClientConfig clientConfig(int socketTimeout, String clientName) {
        return clientConfig(socketTimeout, 0, clientName);
    }

    /**
     * Client settings with a timeout for blocking reads too (a subscription's): jedis's default, 0, waits forever,
     * even on a connection that went silent.
     */
    JedisClientConfig clientConfig(int socketTimeout, int blockingSocketTimeout, String clientName) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .database(db).ssl(tls).socketTimeoutMillis(socketTimeout)
                .blockingSocketTimeoutMillis(blockingSocketTimeout)
                .connectionTimeoutMillis(connectTimeoutMillis).clientName(clientName);
        if (password != null) {
            b.password(password);
            if (user != null) {
                b.user(user);
            }
        }
        return b.build();
    }

    /** {@code host:port/db}, for messages: no password. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
    }
}
