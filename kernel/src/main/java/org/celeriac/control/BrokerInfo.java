package org.celeriac.control;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.config.UrlPasswords;

/**
 * The broker connection as Celery's {@code stats} describes it ({@code connection.info()}), without the password: not
 * even as the user of redis-py's {@code redis://PASSWORD@host}, where the user info is the password.
 */
final class BrokerInfo {
    private BrokerInfo() {
    }

    static Map<String, Object> of(String url) {
        Map<String, Object> b = new LinkedHashMap<>();
        String scheme = url == null || url.indexOf(':') < 0 ? "" : url.substring(0, url.indexOf(':'));
        String host = null;
        String user = null;
        String vhost = null;
        Integer port = null;
        try {
            URI u = new URI(url.startsWith("jdbc:") ? url.substring(5) : url);
            host = u.getHost();
            port = u.getPort() < 0 ? null : u.getPort();
            String info = u.getUserInfo();
            if (info != null && (info.contains(":") || !UrlPasswords.userInfoIsPassword(scheme))) {
                user = info.split(":", 2)[0];
                user = user.isEmpty() ? null : user;
            }
            String path = u.getPath();
            vhost = path == null || path.length() <= 1 ? null : path.substring(1);
        } catch (URISyntaxException | RuntimeException e) {
            // an odd URL: its scheme is still worth saying
        }
        b.put("hostname", host);
        b.put("userid", user);
        b.put("virtual_host", vhost);
        b.put("port", port);
        b.put("insist", false);
        b.put("ssl", scheme.equals("amqps") || scheme.equals("rediss"));
        b.put("transport", transport(scheme));
        b.put("connect_timeout", 4);
        b.put("transport_options", Map.of());
        b.put("login_method", null);
        b.put("uri_prefix", null);
        b.put("heartbeat", 120.0);
        b.put("failover_strategy", "round-robin");
        b.put("alternates", List.of());
        return b;
    }

    /** kombu's transport names for the schemes that are kombu's; the scheme otherwise. */
    private static String transport(String scheme) {
        return switch (scheme) {
            case "amqp", "amqps", "pyamqp" -> "amqp";
            case "redis", "rediss" -> "redis";
            case "jdbc" -> "sql";
            default -> scheme;
        };
    }
}
