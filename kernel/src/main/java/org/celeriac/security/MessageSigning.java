package org.celeriac.security;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.celeriac.config.Settings;
import org.celeriac.discovery.PluginCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Celery's message signing ({@code app.setup_security()}): when {@code task_serializer} or {@code accept_content}
 * names {@code auth}, an app signs what it sends with {@code security_key}, under the name of
 * {@code security_certificate}, and accepts only what a certificate of {@code security_cert_store} signed, RSA-PSS
 * over {@code security_digest}. Set {@code task_serializer=auth} and {@code accept_content=auth}, as Celery requires,
 * for a worker that refuses unsigned messages.
 */
public final class MessageSigning {
    private static final Logger LOG = LoggerFactory.getLogger(MessageSigning.class);

    private MessageSigning() {
    }

    /** Whether a {@code task_serializer} or {@code accept_content} entry means the {@code auth} serializer. */
    public static boolean isAuth(String nameOrContentType) {
        return AuthSerializer.NAME.equals(nameOrContentType) || AuthSerializer.CONTENT_TYPE.equals(nameOrContentType);
    }

    /**
     * The plugins an app uses: these, and when the settings name {@code auth}, the {@code auth} serializer built from
     * the {@code security_*} settings. Fails at once, as Celery's {@code setup_security} does, when a setting is
     * missing or a file does not read.
     */
    public static PluginCatalog catalog(PluginCatalog plugins, Settings settings) {
        return catalog(plugins, settings, Clock.systemUTC());
    }

    static PluginCatalog catalog(PluginCatalog plugins, Settings settings, Clock clock) {
        boolean signs = isAuth(settings.get(Settings.TASK_SERIALIZER));
        List<String> accepted = settings.getList(Settings.ACCEPT_CONTENT);
        boolean verifies = accepted.stream().anyMatch(MessageSigning::isAuth);
        if (!signs && !verifies) {
            return plugins;
        }
        if (verifies && accepted.size() > 1) {
            LOG.warn("accept_content {} accepts unsigned messages too: only 'auth' refuses them (Celery's "
                    + "setup_security allows nothing else)", accepted);
        }
        if (verifies && !signs) {
            LOG.warn("task_serializer is '{}': the tasks this app sends, workflow steps included, are not signed, and "
                    + "workers that accept only 'auth' refuse them", settings.get(Settings.TASK_SERIALIZER));
        }
        return new SigningCatalog(plugins, serializer(settings, plugins, clock));
    }

    static AuthSerializer serializer(Settings settings, PluginCatalog plugins, Clock clock) {
        List<String> missing = new ArrayList<>();
        for (String name : List.of(Settings.SECURITY_KEY, Settings.SECURITY_CERTIFICATE, Settings.SECURITY_CERT_STORE)) {
            if (settings.get(name) == null || settings.get(name).isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the auth serializer needs security_key, security_certificate and "
                    + "security_cert_store, as Celery's; missing: " + missing);
        }
        Pss pss = Pss.of(settings.get(Settings.SECURITY_DIGEST));
        RSAPrivateKey key = Pem.rsaPrivateKey(Path.of(settings.get(Settings.SECURITY_KEY).strip()));
        Path certFile = Path.of(settings.get(Settings.SECURITY_CERTIFICATE).strip());
        X509Certificate cert = Pem.certificate(certFile, Settings.SECURITY_CERTIFICATE);
        String id = CertificateId.of(cert);
        if (!(cert.getPublicKey() instanceof RSAPublicKey pub) || !pub.getModulus().equals(key.getModulus())) {
            throw new IllegalArgumentException("security_key does not belong to security_certificate '" + id + "' ("
                    + certFile + "): receivers would refuse every message signed with it");
        }
        Date now = Date.from(clock.instant());
        if (!cert.getNotAfter().after(now)) {
            throw new IllegalArgumentException("security_certificate '" + id + "' (" + certFile + ") expired at "
                    + cert.getNotAfter().toInstant() + ": receivers refuse what it signs");
        }
        if (cert.getNotBefore().after(now)) {
            LOG.warn("security_certificate '{}' is not valid before {}: receivers refuse what it signs until then", id,
                    cert.getNotBefore().toInstant());
        }
        String storePattern = settings.get(Settings.SECURITY_CERT_STORE).strip();
        CertStore store = CertStore.load(storePattern, clock);
        LOG.info("Message signing: signing as '{}' with RSA-PSS over {}; {} certificate(s) trusted from {}", id,
                pss.digest(), store.size(), storePattern);
        return new AuthSerializer(plugins.serializer("json"), key, id, store, pss);
    }
}
