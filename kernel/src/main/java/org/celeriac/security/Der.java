package org.celeriac.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Just enough DER to read an X.500 name and to wrap a PKCS#1 key in PKCS#8, without a crypto library. */
final class Der {
    static final int SEQUENCE = 0x30;
    static final int SET = 0x31;
    private static final int OCTET_STRING = 0x04;

    /** The tag, and where its contents lie in the buffer. */
    record Element(int tag, byte[] buffer, int start, int end) {

        /** The elements this constructed one holds. */
        List<Element> children() {
            List<Element> out = new ArrayList<>();
            int at = start;
            while (at < end) {
                Element e = read(buffer, at, end);
                out.add(e);
                at = e.end;
            }
            return out;
        }

        byte[] contents() {
            byte[] out = new byte[end - start];
            System.arraycopy(buffer, start, out, 0, out.length);
            return out;
        }
    }

    private Der() {
    }

    /** The one element that {@code der} is. */
    static Element parse(byte[] der) {
        Element e = read(der, 0, der.length);
        if (e.end != der.length) {
            throw new IllegalArgumentException("trailing bytes after DER element");
        }
        return e;
    }

    private static Element read(byte[] b, int at, int limit) {
        if (at + 2 > limit) {
            throw new IllegalArgumentException("truncated DER");
        }
        int tag = b[at] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not supported");
        }
        int first = b[at + 1] & 0xff;
        int pos = at + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else {
            int n = first & 0x7f;
            if (n == 0 || n > 4 || pos + n > limit) {
                throw new IllegalArgumentException("bad DER length");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (b[pos++] & 0xff);
            }
        }
        if (pos + length > limit) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new Element(tag, b, pos, (int) (pos + length));
    }

    /**
     * An attribute value of a name as Python's {@code cryptography} gives it: BMPString as UTF-16, UniversalString
     * as UTF-32, every other string type as UTF-8.
     */
    static String string(Element value) {
        Charset charset = switch (value.tag()) {
            case 0x0c, 0x13, 0x14, 0x16, 0x1a, 0x12 -> StandardCharsets.UTF_8; // UTF8, Printable, T61, IA5, Visible, Numeric
            case 0x1e -> StandardCharsets.UTF_16BE; // BMPString
            case 0x1c -> Charset.forName("UTF-32BE"); // UniversalString
            default -> throw new IllegalArgumentException("name attribute of DER type " + value.tag() + " is not a string");
        };
        return new String(value.contents(), charset);
    }

    /** A DER element of this tag around these contents. */
    static byte[] element(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : contents) {
            body.writeBytes(c);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = body.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** An RSA key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) as the PKCS#8 that Java's key factory reads. */
    static byte[] pkcs8OfPkcs1Rsa(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        // AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
        byte[] rsaEncryption = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
                0x01, 0x01, 0x01, 0x05, 0x00};
        return element(SEQUENCE, version, rsaEncryption, element(OCTET_STRING, pkcs1));
    }
}
