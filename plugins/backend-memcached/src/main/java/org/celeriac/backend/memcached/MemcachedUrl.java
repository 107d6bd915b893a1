package org.celeriac.backend.memcached;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Celery cache backend URL, {@code cache+memcached://host:port;host2:port2/} (also {@code cache+memcache:} and
 * {@code cache+pylibmc:}, as Celery accepts), and the options this backend takes: {@code socket_timeout} and
 * {@code socket_connect_timeout} in seconds, {@code max_connections} per server.
 *
 * @param servers in the URL's order, which decides which server holds a key, as it does for pylibmc
 */
record MemcachedUrl(List<InetSocketAddress> servers, int socketTimeoutMillis, int connectTimeoutMillis,
                    int maxConnections) {
    static final Set<String> SCHEMES = Set.of("cache+memcached", "cache+memcache", "cache+pylibmc");
    static final int DEFAULT_PORT = 11211;
    static final int DEFAULT_MAX_CONNECTIONS = 16;

    MemcachedUrl {
        servers = List.copyOf(servers);
    }

    static MemcachedUrl parse(String url, Map<String, String> options) {
        int sep = url.indexOf("://");
        if (sep < 0 || !SCHEMES.contains(url.substring(0, sep).toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("not a Memcached URL (cache+memcached://host:port;host2:port/): " + url);
        }
        String rest = url.substring(sep + 3);
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String s : rest.split(";")) {
            if (!s.isBlank()) {
                servers.add(server(s.trim(), url));
            }
        }
        if (servers.isEmpty()) {
            servers.add(InetSocketAddress.createUnresolved("127.0.0.1", DEFAULT_PORT));
        }
        return new MemcachedUrl(servers, millis(options, "socket_timeout", 5), millis(options,
                "socket_connect_timeout", 5), Integer.parseInt(options.getOrDefault("max_connections",
                String.valueOf(DEFAULT_MAX_CONNECTIONS))));
    }

    private static InetSocketAddress server(String s, String url) {
        if (s.contains("@")) {
            throw new IllegalArgumentException("Memcached servers take no user or password (SASL is not supported): "
                    + s.substring(s.indexOf('@') + 1));
        }
        String host = s;
        int port = DEFAULT_PORT;
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) { // [::1]:11211
            int close = s.indexOf(']');
            host = s.substring(1, close);
            if (close + 1 < s.length() && s.charAt(close + 1) == ':') {
                port = port(s.substring(close + 2), url);
            }
        } else if (colon >= 0) {
            host = s.substring(0, colon);
            port = port(s.substring(colon + 1), url);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int port(String s, String url) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + s + "' in " + url, e);
        }
    }

    private static int millis(Map<String, String> options, String name, double defaultSeconds) {
        String v = options.get(name);
        return (int) Math.round((v == null ? defaultSeconds : Double.parseDouble(v)) * 1000);
    }

    /** The servers as {@code host:port;host:port}, for messages. */
    String where() {
        StringBuilder b = new StringBuilder();
        for (InetSocketAddress s : servers) {
            b.append(b.length() == 0 ? "" : ";").append(s.getHostString()).append(':').append(s.getPort());
        }
        return b.toString();
    }
}
