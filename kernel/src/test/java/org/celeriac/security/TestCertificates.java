package org.celeriac.security;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Keys and self-signed certificates made by the {@code openssl} command for a test; tests skip without it. */
final class TestCertificates {
    private static final String OPENSSL = "/usr/bin/openssl";

    /** A key and its certificate, issued to and by {@code /C=DE/O=Celeriac Test/CN=<name>}. */
    record Signer(Path key, Path certificate, String id) {
    }

    private TestCertificates() {
    }

    /**
     * An RSA key of 2048 bits, in PKCS#8 ({@code BEGIN PRIVATE KEY}) or with {@code pkcs1} in PKCS#1
     * ({@code BEGIN RSA PRIVATE KEY}), and a certificate valid from now for a day.
     */
    static Signer create(Path dir, String name, int serial, boolean pkcs1) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "no " + OPENSSL);
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".pem");
        String subject = "/C=DE/O=Celeriac Test/CN=" + name;
        if (pkcs1) {
            openssl(dir, "genrsa", "-traditional", "-out", key.toString(), "2048");
            openssl(dir, "req", "-x509", "-new", "-key", key.toString(), "-out", cert.toString(), "-days", "1",
                    "-subj", subject, "-set_serial", Integer.toString(serial));
        } else {
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                    cert.toString(), "-days", "1", "-subj", subject, "-set_serial", Integer.toString(serial));
        }
        return new Signer(key, cert, "DE Celeriac Test " + name + " " + serial);
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSSL));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed:\n" + out);
        }
    }

    /** A clock that tests move. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
