package org.celeriac.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;
import java.util.Map;

/**
 * Celery's signatures: RSA-PSS with MGF1 over the same digest and the longest salt the key allows
 * ({@code cryptography}'s {@code PSS.MAX_LENGTH}: the encoded length less the digest less two), which Java's verifier
 * must be told exactly.
 */
final class Pss {
    /** Celery names a digest by its class in {@code cryptography.hazmat.primitives.hashes}, case aside. */
    private static final Map<String, String> JAVA_NAMES = Map.ofEntries(
            Map.entry("SHA1", "SHA-1"), Map.entry("SHA224", "SHA-224"), Map.entry("SHA256", "SHA-256"),
            Map.entry("SHA384", "SHA-384"), Map.entry("SHA512", "SHA-512"),
            Map.entry("SHA512_224", "SHA-512/224"), Map.entry("SHA512_256", "SHA-512/256"),
            Map.entry("SHA3_224", "SHA3-224"), Map.entry("SHA3_256", "SHA3-256"),
            Map.entry("SHA3_384", "SHA3-384"), Map.entry("SHA3_512", "SHA3-512"));

    private final String digest;
    private final int digestLength;

    private Pss(String digest, int digestLength) {
        this.digest = digest;
        this.digestLength = digestLength;
    }

    /** @param celeryDigest {@code security_digest}: {@code sha256}, {@code sha512}, {@code sha3_256}, ... */
    static Pss of(String celeryDigest) {
        String javaName = JAVA_NAMES.get(celeryDigest.strip().toUpperCase(Locale.ROOT));
        if (javaName == null) {
            throw new IllegalArgumentException("security_digest '" + celeryDigest + "' is not supported; one of "
                    + JAVA_NAMES.keySet().stream().map(n -> n.toLowerCase(Locale.ROOT)).sorted().toList());
        }
        try {
            return new Pss(javaName, MessageDigest.getInstance(javaName).getDigestLength());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("security_digest '" + celeryDigest + "' is not available in this JVM", e);
        }
    }

    String digest() {
        return digest;
    }

    byte[] sign(RSAPrivateKey key, byte[] data) {
        try {
            Signature s = signature(key.getModulus().bitLength());
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + digest + ": " + e.getMessage(), e);
        }
    }

    boolean verify(RSAPublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = signature(key.getModulus().bitLength());
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // a signature of the wrong length or form: as good as a wrong one
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify with " + digest + ": " + e.getMessage(), e);
        }
    }

    /** A fresh one per call: {@link Signature} objects are not thread-safe. */
    private Signature signature(int modulusBits) throws GeneralSecurityException {
        int encodedLength = (modulusBits + 6) / 8; // ceil((modBits - 1) / 8), RFC 8017's emLen
        int saltLength = encodedLength - digestLength - 2;
        if (saltLength < 0) {
            throw new GeneralSecurityException("an RSA key of " + modulusBits + " bits is too short for " + digest);
        }
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), saltLength, 1));
        return s;
    }
}
