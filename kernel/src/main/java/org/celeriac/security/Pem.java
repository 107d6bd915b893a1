package org.celeriac.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files as Celery's {@code auth} serializer takes them. Errors name the file and what is wrong with it,
 * never its contents.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

    private Pem() {
    }

    /**
     * An RSA private key without password: PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1
     * ({@code BEGIN RSA PRIVATE KEY}), as OpenSSL writes them.
     */
    static RSAPrivateKey rsaPrivateKey(Path file) {
        String text = read(file, "security_key");
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String label = m.group(1);
            String body = m.group(2);
            switch (label) {
                case "PRIVATE KEY" -> {
                    return rsa(decode(body, file), file);
                }
                case "RSA PRIVATE KEY" -> {
                    if (body.contains("Proc-Type:")) {
                        throw new IllegalArgumentException("security_key " + file
                                + " is encrypted; Celery 5.2 reads keys without a password, and so does Celeriac");
                    }
                    return rsa(Der.pkcs8OfPkcs1Rsa(decode(body, file)), file);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("security_key " + file
                        + " is encrypted; Celery 5.2 reads keys without a password, and so does Celeriac");
                case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY" -> throw notRsa(file);
                default -> {
                    // another block (parameters, a certificate in the same file): look further
                }
            }
        }
        throw new IllegalArgumentException("security_key " + file
                + " holds no PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
    }

    /** The first certificate of a PEM file, as Celery's {@code load_pem_x509_certificate}. */
    static X509Certificate certificate(Path file, String setting) {
        String text = read(file, setting);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE") || m.group(1).equals("X509 CERTIFICATE")) {
                try {
                    return (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(decode(m.group(2), file)));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(setting + ": invalid certificate in " + file + ": "
                            + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException(setting + ": " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }

    private static RSAPrivateKey rsa(byte[] pkcs8, Path file) {
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | ClassCastException e) {
            // An EC or Ed25519 key in PKCS#8 lands here too; the factory's text would not say so.
            throw notRsa(file);
        }
    }

    private static IllegalArgumentException notRsa(Path file) {
        return new IllegalArgumentException("security_key " + file + " is not a valid RSA private key; Celery's auth "
                + "serializer signs with RSA (PSS padding) only");
    }

    private static byte[] decode(String base64, Path file) {
        try {
            return Base64.getMimeDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": PEM block is not valid base64");
        }
    }

    private static String read(Path file, String setting) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1); // any byte reads; PEM is ASCII
        } catch (IOException e) {
            throw new UncheckedIOException(setting + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
