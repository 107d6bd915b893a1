package org.celeriac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Celery's {@code auth} serializer: what it signs, what it refuses, and what it refuses to start with. */
class AuthSerializerTest {
    private static final ServiceLoaderCatalog PLUGINS = new ServiceLoaderCatalog();
    private static final List<Object> BODY = List.of(List.of(2, 3), Map.of("k\u00e9y", "\u2603"), Map.of());

    @TempDir
    static Path dir;
    /** In the store, PKCS#8 key. */
    static TestCertificates.Signer alice;
    /** In the store, PKCS#1 key. */
    static TestCertificates.Signer bob;
    /** Not in the store. */
    static TestCertificates.Signer mallory;
    static String store;

    @BeforeAll
    static void keys() throws IOException, InterruptedException {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        alice = TestCertificates.create(keys, "alice", 4660, false);
        bob = TestCertificates.create(keys, "bob", 7, true);
        mallory = TestCertificates.create(keys, "mallory", 4660, false);
        Files.copy(alice.certificate(), trusted.resolve("alice.pem"));
        Files.copy(bob.certificate(), trusted.resolve("bob.pem"));
        store = trusted.resolve("*.pem").toString();
    }

    private static Settings settings(TestCertificates.Signer signer, String... more) {
        Map<String, String> s = new HashMap<>(Map.of(Settings.SECURITY_KEY, signer.key().toString(),
                Settings.SECURITY_CERTIFICATE, signer.certificate().toString(), Settings.SECURITY_CERT_STORE, store));
        for (int i = 0; i < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        return Settings.of(s);
    }

    private static AuthSerializer serializer(TestCertificates.Signer signer, String... more) {
        return serializer(settings(signer, more), new TestCertificates.MovableClock());
    }

    private static AuthSerializer serializer(Settings settings, TestCertificates.MovableClock clock) {
        return MessageSigning.serializer(settings, PLUGINS, clock);
    }

    private static byte[][] fields(byte[] encoded) {
        byte[] raw = Base64.getDecoder().decode(encoded);
        int first = indexOfSeparator(raw, 0);
        int signatureEnd = first + 2 + 256; // 2048-bit keys
        int second = indexOfSeparator(raw, signatureEnd + 2);
        int third = indexOfSeparator(raw, second + 2);
        return new byte[][] {Arrays.copyOfRange(raw, 0, first), Arrays.copyOfRange(raw, first + 2, signatureEnd),
                Arrays.copyOfRange(raw, signatureEnd + 2, second), Arrays.copyOfRange(raw, second + 2, third),
                Arrays.copyOfRange(raw, third + 2, raw.length)};
    }

    private static byte[] pack(byte[]... fields) {
        byte[] out = new byte[0];
        for (int i = 0; i < fields.length; i++) {
            int at = out.length;
            out = Arrays.copyOf(out, at + (i > 0 ? 2 : 0) + fields[i].length);
            if (i > 0) {
                out[at] = 0;
                out[at + 1] = 1;
                at += 2;
            }
            System.arraycopy(fields[i], 0, out, at, fields[i].length);
        }
        return Base64.getEncoder().encode(out);
    }

    private static int indexOfSeparator(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 1) {
                return i;
            }
        }
        throw new AssertionError("no separator after " + from);
    }

    @Test
    void signedBodyReadsBackAsSent() {
        AuthSerializer s = serializer(alice);

        assertThat(s.decode(s.encode(BODY))).isEqualTo(BODY);
        assertThat(s.contentType()).isEqualTo("application/data");
        assertThat(s.contentEncoding()).isEqualTo("utf-8");
    }

    @Test
    void messageIsCeleryLayoutSignerSignatureTypeEncodingBody() {
        byte[][] f = fields(serializer(alice).encode(BODY));

        assertThat(new String(f[0], StandardCharsets.UTF_8)).isEqualTo("DE Celeriac Test alice 4660");
        assertThat(f[1]).hasSize(256);
        assertThat(new String(f[2], StandardCharsets.UTF_8)).isEqualTo("application/json");
        assertThat(new String(f[3], StandardCharsets.UTF_8)).isEqualTo("utf-8");
        assertThat(PLUGINS.serializer("json").decode(f[4])).isEqualTo(BODY);
    }

    @Test
    void pkcs1KeySignsWhatAnotherTrustingWorkerReads() {
        assertThat(serializer(alice).decode(serializer(bob).encode(BODY))).isEqualTo(BODY);
    }

    @Test
    void otherDigestsSignAndVerifyAlike() {
        AuthSerializer sha512 = serializer(alice, Settings.SECURITY_DIGEST, "sha512");

        assertThat(sha512.decode(sha512.encode(BODY))).isEqualTo(BODY);
        assertThatThrownBy(() -> serializer(alice).decode(sha512.encode(BODY)))
                .isInstanceOf(UntrustedMessageException.class).hasMessageContaining("Bad signature");
    }

    @Test
    void bodyChangedAfterSigningIsRefused() {
        byte[][] f = fields(serializer(alice).encode(List.of(List.of(2, 3), Map.of(), Map.of())));
        f[4] = new String(f[4], StandardCharsets.UTF_8).replace("[2,3]", "[2,4]").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serializer(alice).decode(pack(f)))
                .isInstanceOf(UntrustedMessageException.class)
                .hasMessageContaining("Bad signature").hasMessageContaining("DE Celeriac Test alice 4660");
    }

    @Test
    void bytesAppendedToASignedBodyAreRefused() {
        byte[][] f = fields(serializer(alice).encode(BODY));

        assertThatThrownBy(() -> serializer(alice).decode(pack(f[0], f[1], f[2], f[3], f[4], "x".getBytes())))
                .isInstanceOf(UntrustedMessageException.class).hasMessageContaining("Bad signature");
    }

    @Test
    void signerMissingFromTheStoreIsRefused() {
        byte[] forged = serializer(mallory).encode(BODY);

        assertThatThrownBy(() -> serializer(alice).decode(forged))
                .isInstanceOf(UntrustedMessageException.class)
                .hasMessage("Unknown certificate: 'DE Celeriac Test mallory 4660'");
    }

    @Test
    void signatureByAnUntrustedKeyUnderATrustedNameIsRefused() {
        byte[][] byMallory = fields(serializer(mallory).encode(BODY));
        byMallory[0] = alice.id().getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serializer(alice).decode(pack(byMallory)))
                .isInstanceOf(UntrustedMessageException.class).hasMessageContaining("Bad signature");
    }

    @Test
    void unsignedJsonIsRefused() {
        byte[] json = PLUGINS.serializer("json").encode(BODY);

        assertThatThrownBy(() -> serializer(alice).decode(json)).isInstanceOf(UntrustedMessageException.class);
    }

    @Test
    void signedContentOfAnotherTypeIsRefused() {
        // Celery decodes whatever type the unsigned field names, pickle included; only JSON is read here.
        byte[][] f = fields(serializer(alice).encode(BODY));
        f[2] = "application/x-python-serialize".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> serializer(alice).decode(pack(f)))
                .isInstanceOf(UntrustedMessageException.class)
                .hasMessageContaining("'application/x-python-serialize' is not accepted");
    }

    @Test
    void signerCertificateThatExpiredSinceTheWorkerStartedIsRefused() {
        TestCertificates.MovableClock clock = new TestCertificates.MovableClock();
        AuthSerializer worker = serializer(settings(alice), clock);
        byte[] signed = worker.encode(BODY);

        clock.advance(Duration.ofDays(2));

        assertThatThrownBy(() -> worker.decode(signed))
                .isInstanceOf(UntrustedMessageException.class)
                .hasMessageStartingWith("Expired certificate: 'DE Celeriac Test alice 4660'");
    }

    @Test
    void signerCertificateNotYetValidIsRefused() {
        TestCertificates.MovableClock clock = new TestCertificates.MovableClock();
        clock.advance(Duration.ofHours(-1));
        AuthSerializer worker = serializer(settings(alice), clock);

        assertThatThrownBy(() -> worker.decode(serializer(bob).encode(BODY)))
                .isInstanceOf(UntrustedMessageException.class)
                .hasMessageStartingWith("Certificate not yet valid: 'DE Celeriac Test bob 7'");
    }

    @Test
    void expiredCertificateInTheStoreStopsTheStartAsInCelery() {
        TestCertificates.MovableClock clock = new TestCertificates.MovableClock();
        clock.advance(Duration.ofDays(2));

        assertThatThrownBy(() -> CertStore.load(store, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expired certificate 'DE Celeriac Test alice 4660'");
    }

    @Test
    void keyOfAnotherCertificateStopsTheStart() {
        Settings mismatched = settings(alice, Settings.SECURITY_CERTIFICATE, bob.certificate().toString());

        assertThatThrownBy(() -> serializer(mismatched, new TestCertificates.MovableClock()))
                .hasMessageContaining("security_key does not belong to security_certificate 'DE Celeriac Test bob 7'");
    }

    @Test
    void missingSettingsAreNamed() {
        Settings noStore = Settings.of(Map.of(Settings.SECURITY_KEY, alice.key().toString()));

        assertThatThrownBy(() -> serializer(noStore, new TestCertificates.MovableClock()))
                .hasMessageContaining("missing: [security_certificate, security_cert_store]");
    }

    @Test
    void unsupportedDigestIsNamed() {
        assertThatThrownBy(() -> serializer(alice, Settings.SECURITY_DIGEST, "md5"))
                .hasMessageContaining("security_digest 'md5' is not supported");
    }

    @Test
    void encryptedKeyIsRefusedWithoutItsContentsInTheMessage() throws IOException {
        Path encrypted = dir.resolve("encrypted.key");
        String pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n";
        Files.writeString(encrypted, pem);

        assertThatThrownBy(() -> serializer(alice, Settings.SECURITY_KEY, encrypted.toString()))
                .hasMessageContaining("is encrypted").hasMessageNotContaining("MIIFHDBOB");
    }

    @Test
    void storeIsADirectoryOrAGlobWithoutHiddenFiles() throws IOException {
        Path certs = Files.createDirectories(dir.resolve("glob"));
        Files.copy(alice.certificate(), certs.resolve("a.pem"));
        Files.copy(bob.certificate(), certs.resolve(".b.pem"));
        Files.createDirectories(certs.resolve("sub.pem"));

        assertThat(FileGlob.files(certs.toString())).containsExactly(certs.resolve("a.pem"));
        assertThat(FileGlob.files(dir.resolve("gl?b").resolve("*.pem").toString()))
                .containsExactly(certs.resolve("a.pem"));
        assertThat(FileGlob.files(certs.resolve(".*").toString())).containsExactly(certs.resolve(".b.pem"));
        assertThat(FileGlob.files(dir.resolve("none").resolve("*.pem").toString())).isEmpty();
    }
}
