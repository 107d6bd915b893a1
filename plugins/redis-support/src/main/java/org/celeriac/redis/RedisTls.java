package org.celeriac.redis;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * TLS for {@code rediss://}, with redis-py's options (the URL's query, {@code broker_transport_options.*}, or
 * Celery's {@code broker_use_ssl} / {@code redis_backend_use_ssl}):
 * <ul>
 * <li>{@code ssl_cert_reqs}: {@code required} (the default), {@code optional} or {@code none}; kombu's
 *     {@code CERT_REQUIRED}, {@code CERT_OPTIONAL}, {@code CERT_NONE} too. As in Python, a client that asks for an
 *     optional certificate checks the one it gets, so {@code optional} is {@code required}; {@code none} checks
 *     nothing (warned of);</li>
 * <li>{@code ssl_ca_certs}: a PEM file of the CAs to trust instead of the JVM's trust store;</li>
 * <li>{@code ssl_certfile}, {@code ssl_keyfile}: a client certificate (chain) and its unencrypted key, PEM, for a
 *     server that asks for one ({@code tls-auth-clients}); the key may be in the certfile, as Python reads it;</li>
 * <li>{@code ssl_check_hostname}: whether the certificate must name the URL's host, {@code true} by default when
 *     certificates are checked (stricter than redis-py, whose default is false).</li>
 * </ul>
 * Files are read when the URL is opened, so a wrong path fails then, naming the file.
 */
public final class RedisTls {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTls.class);

    static final String CERT_REQS = "ssl_cert_reqs";
    static final String CA_CERTS = "ssl_ca_certs";
    static final String CERTFILE = "ssl_certfile";
    static final String KEYFILE = "ssl_keyfile";
    static final String CHECK_HOSTNAME = "ssl_check_hostname";
    private static final List<String> ALL = List.of(CERT_REQS, CA_CERTS, CERTFILE, KEYFILE, CHECK_HOSTNAME);

    /** What is checked of the server's certificate. */
    enum Verify { REQUIRED, NONE }

    private final boolean checkHostname;
    private final SSLSocketFactory socketFactory;

    private RedisTls(boolean checkHostname, SSLSocketFactory socketFactory) {
        this.checkHostname = checkHostname;
        this.socketFactory = socketFactory;
    }

    /**
     * The TLS settings of {@code url}, its files read; null for a {@code redis://} URL.
     *
     * @throws IllegalArgumentException for a bad option or file, or TLS options on a {@code redis://} URL (which
     *                                  would not be encrypted, whatever they say)
     */
    public static RedisTls of(RedisUrl url) {
        Map<String, String> options = url.options();
        if (!url.ssl()) {
            List<String> given = ALL.stream().filter(k -> !blank(options.get(k))).toList();
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("TLS options " + given + " given for redis://" + url.where()
                        + ", which is not encrypted: use rediss:// for TLS");
            }
            return null;
        }
        Verify verify = certReqs(options.get(CERT_REQS));
        boolean checkHostname = verify == Verify.REQUIRED && bool(options, CHECK_HOSTNAME, true);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(path(options, CERTFILE), path(options, KEYFILE)),
                    trustManagers(verify, path(options, CA_CERTS)), new SecureRandom());
            if (verify == Verify.NONE) {
                LOG.warn("TLS to Redis at {} without checking its certificate (ssl_cert_reqs=none): anyone in "
                        + "between can read and change the traffic", url.where());
            }
            return new RedisTls(checkHostname, context.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot set up TLS to Redis at " + url.where() + ": " + e.getMessage(),
                    e);
        }
    }

    /** Sets {@code b} up for this TLS: encryption, trust, client certificate and host name check. */
    public DefaultJedisClientConfig.Builder applyTo(DefaultJedisClientConfig.Builder b) {
        SSLParameters parameters = new SSLParameters();
        if (checkHostname) {
            // checked in the handshake by the JDK, against the SANs, IP addresses too
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        return b.ssl(true).sslSocketFactory(socketFactory).sslParameters(parameters);
    }

    /**
     * What went wrong, for an error message: jedis's message ("Failed to connect to any host resolved..."), and,
     * when TLS was the reason, which check failed, since jedis's message alone hides it.
     */
    public static String explain(Throwable e) {
        String message = e.getMessage();
        Throwable tls = null;
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof java.security.cert.CertificateException) {
                tls = c;
            }
        }
        if (tls == null) {
            return message;
        }
        String detail = tls.getMessage();
        String why;
        if (detail != null && detail.contains("PKIX")) {
            why = "the server's certificate is not signed by a CA trusted here (ssl_ca_certs, else the JVM's)";
        } else if (detail != null && (detail.contains("subject alternative") || detail.contains("No name matching"))) {
            why = "the server's certificate does not name the host connected to (ssl_check_hostname)";
        } else if (detail != null && detail.contains("certificate")) {
            why = "a certificate was refused (a client certificate the server wants: ssl_certfile, ssl_keyfile)";
        } else {
            why = "is it a TLS port?";
        }
        boolean said = message != null && detail != null && message.contains(detail);
        return message + " (TLS handshake failed: " + why + (said ? "" : "; " + detail) + ")";
    }

    boolean checkHostname() {
        return checkHostname;
    }

    /** Redis's and kombu's spellings; a bad one is refused rather than read as the weakest. */
    static Verify certReqs(String value) {
        if (blank(value)) {
            return Verify.REQUIRED;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        v = v.startsWith("ssl.") ? v.substring(4) : v;
        v = v.startsWith("cert_") ? v.substring(5) : v;
        return switch (v) {
            case "required", "optional" -> Verify.REQUIRED;
            case "none" -> Verify.NONE;
            default -> throw new IllegalArgumentException(CERT_REQS + " is required, optional or none (or kombu's "
                    + "CERT_REQUIRED, CERT_OPTIONAL, CERT_NONE), not " + value);
        };
    }

    private static TrustManager[] trustManagers(Verify verify, Path caCerts) throws GeneralSecurityException {
        if (verify == Verify.NONE) {
            return new TrustManager[] {new TrustingEveryone()};
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (caCerts == null) {
            tmf.init((KeyStore) null); // the JVM's trust store
        } else {
            KeyStore trusted = emptyKeyStore();
            int i = 0;
            for (X509Certificate c : PemFiles.certificates(caCerts)) {
                trusted.setCertificateEntry("ca-" + i++, c);
            }
            tmf.init(trusted);
        }
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(Path certfile, Path keyfile) throws GeneralSecurityException {
        if (certfile == null) {
            if (keyfile != null) {
                throw new IllegalArgumentException(KEYFILE + " without " + CERTFILE);
            }
            return null;
        }
        Path keyIn = keyfile != null ? keyfile : certfile;
        if (keyfile == null && !PemFiles.hasPrivateKey(certfile)) {
            throw new IllegalArgumentException(CERTFILE + " " + certfile + " holds no private key: give "
                    + KEYFILE + " too");
        }
        PrivateKey key = PemFiles.privateKey(keyIn);
        List<X509Certificate> chain = PemFiles.certificates(certfile);
        char[] password = new char[0]; // the key store lives in memory only
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        return kmf.getKeyManagers();
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static Path path(Map<String, String> options, String key) {
        String v = options.get(key);
        return blank(v) || v.trim().equalsIgnoreCase("none") ? null : Path.of(v.trim());
    }

    private static boolean bool(Map<String, String> options, String key, boolean fallback) {
        String v = options.get(key);
        if (blank(v)) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(key + " is true or false, not " + v);
        };
    }

    private static boolean blank(String v) {
        return v == null || v.isBlank();
    }

    /** {@code ssl_cert_reqs=none}: Python's {@code CERT_NONE}, the server's certificate taken unchecked. */
    private static final class TrustingEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
