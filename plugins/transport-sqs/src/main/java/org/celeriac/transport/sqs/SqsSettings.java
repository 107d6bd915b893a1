package org.celeriac.transport.sqs;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What an {@code sqs://} URL and its transport options say, as kombu's SQS transport reads them.
 *
 * @param accessKey        from the URL's user, or null for the SDK's default credentials chain
 * @param secretKey        from the URL's password; never logged ({@link #toString} leaves it out)
 * @param region           {@code region}, default {@code us-east-1} as kombu's
 * @param endpoint         {@code endpoint_url}, or the URL's host ({@code http} unless {@code is_secure}), as kombu
 *                         makes one; null for AWS's own endpoint of the region
 * @param queueNamePrefix  {@code queue_name_prefix}, put before every queue name
 * @param predefinedQueues {@code predefined_queues}: SQS queue name to queue URL; when given, only these are used
 *                         and none is created
 * @param visibilityTimeout {@code visibility_timeout}, the lease of a received message (default 1800 s, kombu's)
 * @param waitTimeSeconds  {@code wait_time_seconds}, the longest long poll (default 10, at most 20)
 * @param pollingInterval  {@code polling_interval}: the pause between rounds of polls over several queues
 * @param stsRoleArn       {@code sts_role_arn}: a role to assume with the credentials above, or null
 * @param stsTokenTimeout  {@code sts_token_timeout}: how long an assumed role's session lasts (900 s, kombu's)
 */
record SqsSettings(String accessKey, String secretKey, String region, URI endpoint, String queueNamePrefix,
                   Map<String, String> predefinedQueues, Duration visibilityTimeout, int waitTimeSeconds,
                   Duration pollingInterval, String stsRoleArn, Duration stsTokenTimeout) {

    static final String DEFAULT_REGION = "us-east-1";
    static final int DEFAULT_VISIBILITY_TIMEOUT = 1800;
    static final int DEFAULT_WAIT_TIME_SECONDS = 10;
    /** kombu's default and STS's minimum session length, in seconds. */
    static final int DEFAULT_STS_TOKEN_TIMEOUT = 900;

    private static final ObjectMapper JSON = new ObjectMapper();

    SqsSettings {
        predefinedQueues = Map.copyOf(predefinedQueues);
        if (waitTimeSeconds < 0 || waitTimeSeconds > 20) {
            throw new IllegalArgumentException("wait_time_seconds must be between 0 and 20 (SQS's limit): "
                    + waitTimeSeconds);
        }
        if (stsTokenTimeout.toSeconds() < 900 || stsTokenTimeout.toSeconds() > 43_200) {
            throw new IllegalArgumentException("sts_token_timeout must be between 900 and 43200 seconds (STS's limits): "
                    + stsTokenTimeout.toSeconds());
        }
        if (visibilityTimeout.isNegative() || visibilityTimeout.toSeconds() > 43_200 || visibilityTimeout.isZero()) {
            throw new IllegalArgumentException("visibility_timeout must be between 1 and 43200 seconds (SQS's limit): "
                    + visibilityTimeout.toSeconds());
        }
    }

    /**
     * Reads {@code sqs://[key:secret@][host[:port]][/][?options]}; the URL's query options win over {@code options}.
     * Read by hand rather than by {@link URI}, which refuses {@code sqs://} and an authority without a host, and
     * up to the last {@code @}, so that a secret with an unencoded {@code /} still reads.
     */
    static SqsSettings parse(String url, Map<String, String> options) {
        int colon = url.indexOf("://");
        if (colon < 0 || !url.substring(0, colon).equalsIgnoreCase("sqs")) {
            throw new IllegalArgumentException("Not an sqs:// URL: scheme "
                    + (colon < 0 ? "missing" : url.substring(0, colon)));
        }
        String rest = url.substring(colon + 3);
        Map<String, String> o = new LinkedHashMap<>(options);
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    o.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
            rest = rest.substring(0, q);
        }
        String key = null;
        String secret = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            int c = info.indexOf(':');
            key = blankToNull(decode(c < 0 ? info : info.substring(0, c)));
            secret = c < 0 ? null : blankToNull(decode(info.substring(c + 1)));
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        URI endpoint = null;
        if (blankToNull(o.get("endpoint_url")) != null) {
            endpoint = URI.create(o.get("endpoint_url"));
        } else if (!hostPort.isEmpty()) {
            // kombu's: the URL's host is the endpoint, plain http unless is_secure
            boolean secure = Boolean.parseBoolean(o.getOrDefault("is_secure", "false"));
            endpoint = URI.create((secure ? "https" : "http") + "://" + hostPort);
        }
        return new SqsSettings(key, secret,
                blankToNull(o.get("region")) == null ? DEFAULT_REGION : o.get("region"),
                endpoint,
                o.getOrDefault("queue_name_prefix", ""),
                predefined(o.get("predefined_queues")),
                Duration.ofSeconds(seconds(o, "visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT)),
                (int) seconds(o, "wait_time_seconds", DEFAULT_WAIT_TIME_SECONDS),
                Duration.ofMillis(Math.round(1000 * Double.parseDouble(o.getOrDefault("polling_interval", "1")))),
                blankToNull(o.get("sts_role_arn")),
                Duration.ofSeconds(seconds(o, "sts_token_timeout", DEFAULT_STS_TOKEN_TIMEOUT)));
    }

    /** Whether the credentials come from the URL rather than the SDK's chain. */
    boolean hasUrlCredentials() {
        return accessKey != null && secretKey != null;
    }

    @Override
    public String toString() {
        return "sqs://" + (accessKey == null ? "" : "***@") + " region=" + region
                + (endpoint == null ? "" : " endpoint=" + endpoint) + " prefix=" + queueNamePrefix
                + " visibility_timeout=" + visibilityTimeout.toSeconds() + "s"
                + (stsRoleArn == null ? "" : " sts_role_arn=" + stsRoleArn);
    }

    /** kombu's {@code predefined_queues}: {@code {"name": {"url": "https://..."}, ...}}, as JSON here. */
    private static Map<String, String> predefined(String json) {
        if (blankToNull(json) == null) {
            return Map.of();
        }
        Map<String, String> queues = new LinkedHashMap<>();
        try {
            JsonNode root = JSON.readTree(json);
            if (!root.isObject()) {
                throw new IllegalArgumentException("predefined_queues must be a JSON object of {\"url\": ...} objects");
            }
            root.fields().forEachRemaining(e -> {
                String url = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().path("url").asText(null);
                if (url == null) {
                    throw new IllegalArgumentException("predefined_queues: queue " + e.getKey() + " has no url");
                }
                // as kombu checks: a FIFO queue's name and URL both end in .fifo, or neither does
                if (url.endsWith(".fifo") != e.getKey().endsWith(".fifo")) {
                    throw new IllegalArgumentException("predefined_queues: queue " + e.getKey()
                            + " and its url must both end in .fifo, or neither: " + url);
                }
                queues.put(e.getKey(), url);
            });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("predefined_queues is not JSON: " + e.getOriginalMessage());
        }
        return queues;
    }

    private static long seconds(Map<String, String> o, String name, long dflt) {
        String v = blankToNull(o.get(name));
        if (v == null) {
            return dflt;
        }
        try {
            return (long) Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of seconds: " + v);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
