package org.celeriac.security;

import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates whose signers are trusted, by Celery's id ({@link CertificateId}), loaded as Celery's
 * {@code FSCertStore} loads {@code security_cert_store}: an expired certificate or two with one id fail the load.
 * Beyond Celery, which checks expiry only then, a certificate is checked again for each message it verifies.
 */
final class CertStore {
    private static final Logger LOG = LoggerFactory.getLogger(CertStore.class);

    private final Map<String, X509Certificate> byId;
    private final Clock clock;

    private CertStore(Map<String, X509Certificate> byId, Clock clock) {
        this.byId = Map.copyOf(byId);
        this.clock = clock;
    }

    static CertStore load(String pattern, Clock clock) {
        List<Path> files = FileGlob.files(pattern);
        Map<String, X509Certificate> byId = new LinkedHashMap<>();
        for (Path file : files) {
            X509Certificate cert = Pem.certificate(file, "security_cert_store");
            String id = CertificateId.of(cert);
            if (!cert.getNotAfter().after(Date.from(clock.instant()))) {
                throw new IllegalArgumentException("security_cert_store: expired certificate '" + id + "' in " + file
                        + " (not after " + cert.getNotAfter().toInstant() + ")");
            }
            if (!(cert.getPublicKey() instanceof RSAPublicKey)) {
                // Celery loads it, and then cannot verify with it either
                LOG.warn("security_cert_store: certificate '{}' in {} has no RSA key and is left out: Celery's auth "
                        + "serializer signs with RSA only", id, file);
                continue;
            }
            if (byId.putIfAbsent(id, cert) != null) {
                throw new IllegalArgumentException("security_cert_store: duplicate certificate '" + id + "' in "
                        + file);
            }
        }
        if (byId.isEmpty()) {
            LOG.warn("security_cert_store '{}' names no certificate: every signed message will be refused", pattern);
        }
        return new CertStore(byId, clock);
    }

    int size() {
        return byId.size();
    }

    /** The certificate of a signer, if it is trusted and valid now. */
    X509Certificate trusted(String signer) {
        X509Certificate cert = byId.get(signer);
        if (cert == null) {
            throw new UntrustedMessageException("Unknown certificate: '" + signer + "'");
        }
        try {
            cert.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException e) {
            throw new UntrustedMessageException("Expired certificate: '" + signer + "' (not after "
                    + cert.getNotAfter().toInstant() + ")");
        } catch (CertificateNotYetValidException e) {
            throw new UntrustedMessageException("Certificate not yet valid: '" + signer + "' (not before "
                    + cert.getNotBefore().toInstant() + ")");
        }
        return cert;
    }
}
