package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.redis.TestCertificates;
import org.celeriac.redis.TlsRedisServer;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks over TLS to servers started with TLS, each with a CA made for it: a Redis that speaks TLS only
 * ({@code rediss://} with redis-py's {@code ssl_ca_certs}), a task sent by Celeriac and one by Python Celery
 * (Debian's 5.2, {@code broker_use_ssl}) run by a Celeriac worker over it, their results read back over it; and a
 * PostgreSQL with {@code ssl=on}, reached with the driver's {@code sslmode=verify-full&sslrootcert=}, the connection
 * seen to be TLS by the server itself, a server signed by another CA refused, saying so.
 */
class TlsServersTest {
    private static final Duration WAIT = CeleriacProcesses.WAIT;

    @RegisterExtension
    static final TlsRedisServer REDIS = new TlsRedisServer(false);

    @RegisterExtension
    final TestServers servers = new TestServers();

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    Path dir;

    /** The PostgreSQL server's certificates: not under {@link #dir}, which the postgres user cannot reach. */
    private Path postgresTls;

    @AfterEach
    void removePostgresCertificates() throws IOException {
        if (postgresTls != null) {
            try (Stream<Path> files = Files.walk(postgresTls)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void tasksSentOverRedissByCeleriacAndCeleryRunAndTheirResultsReadBackOverIt() throws Exception {
        PythonProcesses.requireModules("celery", "redis");
        String ca = REDIS.certificates().ca().toString();
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, REDIS.trustingUrl(0),
                Settings.RESULT_BACKEND, REDIS.trustingUrl(1))))) {
            app.tasks().register(DemoTasks.class);
            Worker worker = app.worker(app.workerOptions().withConcurrency(1)
                    .withShutdownTimeout(Duration.ofMillis(100)), DispatchOptions.defaults());
            worker.start();
            try {
                assertThat(app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).isEqualTo(5);

                Files.writeString(dir.resolve("tls_client.py"), """
                        import ssl, sys
                        from celery import Celery
                        app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                        tls = {'ssl_cert_reqs': ssl.CERT_REQUIRED, 'ssl_ca_certs': sys.argv[3]}
                        app.conf.broker_use_ssl = tls
                        app.conf.redis_backend_use_ssl = tls
                        print('RESULT', app.send_task('demo.add', args=[20, 22]).get(timeout=60), flush=True)
                        """);
                PythonProcesses.Child celery = python.start(dir, "celery-tls-client", Map.of(), "tls_client.py",
                        REDIS.url(0), REDIS.url(1), ca);
                celery.awaitOutput("RESULT 42");
            } finally {
                worker.stop();
            }
        }
    }

    @Test
    void aTaskRunsOverPostgresVerifyFullAndTheServerSeesTls() throws Exception {
        TestCertificates certificates = postgresCertificates();
        PostgresServers.Server server = servers.postgres("-c ssl=on -c ssl_cert_file=" + certificates.serverCert()
                + " -c ssl_key_file=" + certificates.serverKey());
        String url = server.url() + "&sslmode=verify-full&sslrootcert=" + certificates.ca();

        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, url,
                Settings.RESULT_BACKEND, url + "&polling_interval=0.05")))) {
            app.tasks().register(DemoTasks.class);
            Worker worker = app.worker(app.workerOptions().withConcurrency(1)
                    .withShutdownTimeout(Duration.ofMillis(100)), DispatchOptions.defaults());
            worker.start();
            try {
                assertThat(app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).isEqualTo(5);
            } finally {
                worker.stop();
            }
        }
        try (Connection c = DriverManager.getConnection(url);
             ResultSet r = c.createStatement().executeQuery(
                     "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean("ssl")).as("the server's view of this connection").isTrue();
            assertThat(r.getString("version")).startsWith("TLSv1.");
        }

        String otherCa = server.url() + "&sslmode=verify-full&sslrootcert=" + certificates.otherCa();
        assertThatThrownBy(() -> Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, otherCa,
                Settings.RESULT_BACKEND, otherCa))).close())
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("SSL error")
                .hasStackTraceContaining("PKIX path building failed");
    }

    /**
     * The certificates in a directory the postgres user reaches, its key its own and private, as the server insists
     * (when the tests run as root, .ci/postgres.sh runs the server as postgres).
     */
    private TestCertificates postgresCertificates() throws Exception {
        Path tls = postgresTls = Files.createTempDirectory("celeriac-pg-tls-");
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestCertificates certificates = TestCertificates.make(tls);
        Files.setPosixFilePermissions(certificates.serverKey(), PosixFilePermissions.fromString("rw-------"));
        if ("root".equals(System.getProperty("user.name"))) {
            Process chown = new ProcessBuilder("chown", "postgres:postgres", certificates.serverKey().toString(),
                    certificates.serverCert().toString()).inheritIO().start();
            assertThat(chown.waitFor()).isZero();
        }
        return certificates;
    }
}
