package org.celeriac.backend.mongo;

import java.util.Locale;
import java.util.Map;

import com.mongodb.ConnectionString;

/**
 * A {@code mongodb://[user:password@]host[:port][,host2...]/[database][?options]} URL (or {@code mongodb+srv://})
 * with the driver's options in its query (replica set, auth source, TLS...), and Celery's
 * {@code mongodb_backend_settings} as options: {@code database} (default the URL's, else {@code celery}),
 * {@code taskmeta_collection} ({@code celery_taskmeta}), {@code groupmeta_collection} ({@code celery_groupmeta});
 * {@code socket_connect_timeout} (seconds, default 5), how long to wait for a server before an operation fails.
 */
record MongoSettings(ConnectionString connection, String database, String taskmetaCollection,
                     String groupmetaCollection, int connectTimeoutMillis) {

    static MongoSettings parse(String url, Map<String, String> options) {
        String scheme = url.substring(0, Math.max(0, url.indexOf(':'))).toLowerCase(Locale.ROOT);
        if (!scheme.equals("mongodb") && !scheme.equals("mongodb+srv")) {
            throw new IllegalArgumentException("not a MongoDB URL (mongodb://host:port/database): " + url);
        }
        ConnectionString cs;
        try {
            cs = new ConnectionString(url);
        } catch (IllegalArgumentException e) {
            // the driver's message may quote the URL, password and all
            throw new IllegalArgumentException("not a valid MongoDB URL (mongodb://host:port/database): "
                    + e.getMessage().replace(url, masked(url)), e);
        }
        String database = options.getOrDefault("database", cs.getDatabase() == null ? "celery" : cs.getDatabase());
        String seconds = options.getOrDefault("socket_connect_timeout", "5");
        return new MongoSettings(cs, database, options.getOrDefault("taskmeta_collection", "celery_taskmeta"),
                options.getOrDefault("groupmeta_collection", "celery_groupmeta"),
                (int) Math.round(Double.parseDouble(seconds) * 1000));
    }

    /** The hosts and database, for messages: never the user or password. */
    String where() {
        return String.join(",", connection.getHosts()) + "/" + database;
    }

    private static String masked(String url) {
        return url.replaceAll("://[^@/]*@", "://****@");
    }
}
