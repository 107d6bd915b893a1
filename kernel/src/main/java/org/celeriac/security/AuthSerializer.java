package org.celeriac.security;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

import org.celeriac.spi.serializer.Serializer;

/**
 * Celery's {@code auth} serializer ({@code celery/security/serialization.py}), content type {@code application/data}:
 * the body is serialized by an inner serializer (JSON), and the message carries, base64'd,
 * {@code signer \0\1 signature \0\1 content_type \0\1 content_encoding \0\1 body}. The signature covers the inner body
 * alone; its length is the signer's modulus in bytes, since a signature may itself hold the separator.
 *
 * <p>Beyond Celery, which decodes whatever inner content type the (unsigned) field names, only the inner
 * serializer's own is accepted, and the body runs to the end of the payload, so nothing may be appended to it.
 */
final class AuthSerializer implements Serializer {
    static final String NAME = "auth";
    static final String CONTENT_TYPE = "application/data";
    private static final byte[] SEPARATOR = {0, 1};

    private final Serializer inner;
    private final RSAPrivateKey key;
    private final byte[] signer;
    private final CertStore store;
    private final Pss pss;

    /** @param signerId the id of {@code key}'s certificate, which receivers look up in their stores */
    AuthSerializer(Serializer inner, RSAPrivateKey key, String signerId, CertStore store, Pss pss) {
        this.inner = inner;
        this.key = key;
        this.signer = signerId.getBytes(StandardCharsets.UTF_8);
        this.store = store;
        this.pss = pss;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public String contentEncoding() {
        return "utf-8";
    }

    @Override
    public byte[] encode(Object value) {
        byte[] body = inner.encode(value);
        byte[] payload = join(signer, pss.sign(key, body), ascii(inner.contentType()), ascii(inner.contentEncoding()),
                body);
        return Base64.getEncoder().encode(payload);
    }

    @Override
    public Object decode(byte[] data) {
        byte[] raw;
        try {
            raw = Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new UntrustedMessageException("not a signed message: not base64");
        }
        int signerEnd = indexOf(raw, 0);
        if (signerEnd < 0) {
            throw new UntrustedMessageException("not a signed message: no signer");
        }
        String signerId = new String(raw, 0, signerEnd, StandardCharsets.UTF_8);
        X509Certificate cert = store.trusted(signerId);
        RSAPublicKey publicKey = (RSAPublicKey) cert.getPublicKey();
        int signatureStart = signerEnd + SEPARATOR.length;
        int signatureEnd = signatureStart + (publicKey.getModulus().bitLength() + 7) / 8;
        int typeEnd = indexOf(raw, signatureEnd + SEPARATOR.length);
        int encodingEnd = typeEnd < 0 ? -1 : indexOf(raw, typeEnd + SEPARATOR.length);
        if (signatureEnd + SEPARATOR.length > raw.length || encodingEnd < 0) {
            throw new UntrustedMessageException("malformed signed message from '" + signerId + "'");
        }
        byte[] signature = Arrays.copyOfRange(raw, signatureStart, signatureEnd);
        String contentType = new String(raw, signatureEnd + SEPARATOR.length, typeEnd - signatureEnd
                - SEPARATOR.length, StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOfRange(raw, encodingEnd + SEPARATOR.length, raw.length);
        if (!pss.verify(publicKey, body, signature)) {
            throw new UntrustedMessageException("Bad signature: the body does not match the signature of '"
                    + signerId + "'");
        }
        if (!contentType.equals(inner.contentType())) {
            throw new UntrustedMessageException("signed content of type '" + contentType + "' is not accepted (only "
                    + inner.contentType() + ")");
        }
        return inner.decode(body);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] join(byte[]... parts) {
        int length = SEPARATOR.length * (parts.length - 1);
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                System.arraycopy(SEPARATOR, 0, out, at, SEPARATOR.length);
                at += SEPARATOR.length;
            }
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }

    /** Where the next separator starts at or after {@code from}, or -1. */
    private static int indexOf(byte[] b, int from) {
        for (int i = Math.max(from, 0); i + 1 < b.length; i++) {
            if (b[i] == SEPARATOR[0] && b[i + 1] == SEPARATOR[1]) {
                return i;
            }
        }
        return -1;
    }
}
