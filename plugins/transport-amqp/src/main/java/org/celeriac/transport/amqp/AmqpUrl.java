package org.celeriac.transport.amqp;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A broker URL as kombu reads it: {@code amqp://[user[:password]@]host[:port][/vhost][?options]}, {@code amqps://}
 * for TLS and {@code pyamqp://} (Celery's name for the same transport). The virtual host is the path without its
 * first slash, percent-decoded; an empty one is {@code /}, so {@code amqp://host//} and {@code amqp://host/} both
 * name {@code /}. User and password default to {@code guest}, as in kombu.
 *
 * @param heartbeat         requested heartbeat; null leaves the client's default (the server's proposal)
 * @param connectionTimeout TCP connect and AMQP handshake timeout
 * @param confirmTimeout    how long a publish waits for the broker's confirm
 * @param maxPriority       {@code x-max-priority} for declared queues, 0 for none (Celery's default)
 * @param quorum            queues declared as quorum queues ({@code x-queue-type: quorum}, option {@code queue_type})
 * @param eventQueueTtl     {@code x-message-ttl} of a topic subscription's queue, as Celery's {@code event_queue_ttl};
 *                          null for none
 * @param eventQueueExpires {@code x-expires} of a topic subscription's queue, as Celery's
 *                          {@code event_queue_expires}; null for none
 * @param consumerTimeout   the broker's {@code consumer_timeout}: how long it lets a delivery go unacked; null when
 *                          it is off (option {@code consumer_timeout=0})
 * @param sslCaCerts        for TLS, a PEM file of the CA certificates to trust instead of the JVM's (kombu's
 *                          {@code ssl_ca_certs}, as in Celery's {@code broker_use_ssl}); null for the JVM's
 */
record AmqpUrl(boolean tls, String host, int port, String virtualHost, String user, String password,
               Duration heartbeat, Duration connectionTimeout, Duration confirmTimeout, int maxPriority,
               boolean quorum, Duration eventQueueTtl, Duration eventQueueExpires, Duration consumerTimeout,
               String sslCaCerts) {

    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(30);
    /** Celery's {@code event_queue_ttl} and {@code event_queue_expires} defaults. */
    static final Duration DEFAULT_EVENT_QUEUE_TTL = Duration.ofSeconds(5);
    static final Duration DEFAULT_EVENT_QUEUE_EXPIRES = Duration.ofSeconds(60);
    /** RabbitMQ's default since 3.8.15. */
    static final Duration DEFAULT_CONSUMER_TIMEOUT = Duration.ofMinutes(30);

    static AmqpUrl parse(String url, Map<String, String> options) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("Not an AMQP URL: " + redacted(url));
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "amqp", "pyamqp" -> false;
            case "amqps" -> true;
            default -> throw new IllegalArgumentException("Not an AMQP URL: " + redacted(url));
        };
        String rest = url.substring(schemeEnd + 3);
        Map<String, String> merged = new LinkedHashMap<>(options == null ? Map.of() : options);
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                merged.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String vhost = slash < 0 ? "" : decode(rest.substring(slash + 1));
        if (vhost.isEmpty()) {
            vhost = "/";
        }
        String user = "guest";
        String password = "guest";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            String u = decode(colon < 0 ? info : info.substring(0, colon));
            if (!u.isEmpty()) {
                user = u;
            }
            if (colon >= 0) {
                password = decode(info.substring(colon + 1));
            }
        }
        String host = authority;
        int port = tls ? 5671 : 5672;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && authority.indexOf(']', colon) < 0) {
            host = authority.substring(0, colon);
            String p = authority.substring(colon + 1);
            if (!p.isEmpty()) {
                try {
                    port = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Bad port in " + redacted(url), e);
                }
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        int maxPriority = integer(merged, "queue_max_priority");
        boolean quorum = quorum(merged);
        if (quorum && maxPriority > 0) {
            throw new IllegalArgumentException("queue_max_priority is not supported with queue_type=quorum");
        }
        return new AmqpUrl(tls, host, port, vhost, user, password,
                seconds(merged, "heartbeat", null),
                seconds(merged, "connection_timeout", DEFAULT_CONNECTION_TIMEOUT),
                seconds(merged, "confirm_timeout", DEFAULT_CONFIRM_TIMEOUT),
                maxPriority, quorum,
                positive(seconds(merged, "event_queue_ttl", DEFAULT_EVENT_QUEUE_TTL)),
                positive(seconds(merged, "event_queue_expires", DEFAULT_EVENT_QUEUE_EXPIRES)),
                positive(seconds(merged, "consumer_timeout", DEFAULT_CONSUMER_TIMEOUT)),
                blankToNull(merged.get("ssl_ca_certs")));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static boolean quorum(Map<String, String> options) {
        String v = options.get("queue_type");
        if (v == null || v.isBlank()) {
            return false;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "classic" -> false;
            case "quorum" -> true;
            default -> throw new IllegalArgumentException("Option queue_type is classic or quorum, not " + v);
        };
    }

    /** 0 turns a limit off, as Celery's None does. */
    private static Duration positive(Duration d) {
        return d == null || d.isZero() ? null : d;
    }

    /** For logs and errors: the URL without its password. */
    @Override
    public String toString() {
        return (tls ? "amqps" : "amqp") + "://" + user + "@" + host + ":" + port + "/" + virtualHost;
    }

    private static Duration seconds(Map<String, String> options, String name, Duration otherwise) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            double s = Double.parseDouble(v.strip());
            if (s < 0 || Double.isNaN(s) || Double.isInfinite(s)) {
                throw new NumberFormatException(v);
            }
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + name + " is not a number of seconds: " + v, e);
        }
    }

    private static int integer(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 0 || n > 255) {
                throw new NumberFormatException(v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + name + " is not an integer in 0..255: " + v, e);
        }
    }

    private static String decode(String s) {
        // URLDecoder turns '+' into a space, which is form encoding, not a URL's
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String redacted(String url) {
        return url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
    }
}
