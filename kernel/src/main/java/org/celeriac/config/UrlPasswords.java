package org.celeriac.config;

import java.util.regex.Pattern;

/**
 * Passwords out of URLs, as Celery and Flower show a broker ({@code redis://:**@host:6379/0},
 * {@code amqp://guest:**@host:5672//}: kombu's {@code as_uri(mask='**')}), for everything that shows a URL: the
 * worker's banner, {@code inspect conf} and {@code report}, the command line, the monitor. Beyond kombu it also masks
 * the password of redis-py's {@code redis://PASSWORD@host} (no colon: the user info is the password alone, as the
 * Redis plugins read it) and {@code password=} query parameters ({@code jdbc:postgresql://...?password=}).
 */
public final class UrlPasswords {
    /** {@code scheme://user:password@}: the password, up to the last {@code @} before the path. */
    private static final Pattern USER_PASSWORD = Pattern.compile("(\\b[A-Za-z][\\w+.-]*://[^/@:\\s]*:)[^/\\s]*@");
    /** {@code redis://password@} or {@code rediss://password@}: no colon, the password alone (to the last {@code @}). */
    private static final Pattern REDIS_PASSWORD = Pattern.compile("(?i)(\\brediss?://)[^/:?\\s]+@");
    /** {@code password=}, and the JDBC drivers' {@code sslpassword=} (a key's password), as parameters. */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&;\\s]*");

    static final String MASK = "**";

    private UrlPasswords() {
    }

    /** The text with the password of every URL in it as {@code **}; null stays null. */
    public static String mask(String text) {
        if (text == null || !text.contains("://") && !text.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
            return text;
        }
        String masked = USER_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
        masked = REDIS_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }

    /**
     * Whether the user info of a URL of this scheme without a colon is a password rather than a user name: for
     * Redis, as redis-py 3 and the Redis plugins read {@code redis://PASSWORD@host}.
     */
    public static boolean userInfoIsPassword(String scheme) {
        return scheme != null && (scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"));
    }
}
