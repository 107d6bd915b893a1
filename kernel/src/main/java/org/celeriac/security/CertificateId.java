package org.celeriac.security;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * How Celery names a signer ({@code Certificate.get_id()}): the values of the issuer's attributes in the order the
 * certificate encodes them, space separated, then a space and the serial number in decimal, as in
 * {@code "DE Celeriac Celeriac CA 4660"}. Read from the DER, since Java's string forms of a name reverse and escape it.
 */
final class CertificateId {

    private CertificateId() {
    }

    static String of(X509Certificate cert) {
        List<String> values = new ArrayList<>();
        Der.Element name = Der.parse(cert.getIssuerX500Principal().getEncoded());
        for (Der.Element rdn : name.children()) {
            for (Der.Element attribute : rdn.children()) {
                List<Der.Element> typeAndValue = attribute.children();
                if (typeAndValue.size() != 2) {
                    throw new IllegalArgumentException("malformed issuer name in certificate "
                            + cert.getSerialNumber());
                }
                values.add(Der.string(typeAndValue.get(1)));
            }
        }
        return String.join(" ", values) + " " + cert.getSerialNumber();
    }
}
