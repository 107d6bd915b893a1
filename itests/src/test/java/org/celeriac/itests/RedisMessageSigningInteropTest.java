package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.control.ControlTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * Celery's message signing between Debian's Celery 5.2 (python3-cryptography) and Celeriac on one Redis: each
 * configured as Celery's {@code setup_security} asks ({@code task_serializer='auth'}, {@code accept_content=['auth']},
 * results in JSON), with keys and certificates made here by {@code openssl}. Tasks Python signs run on a Celeriac
 * worker and their results read back in Python; tasks Celeriac signs run on a Celery worker; and each worker refuses
 * what is unsigned or signed by a certificate it does not trust.
 */
class RedisMessageSigningInteropTest {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    final RedisApps apps = new RedisApps(REDIS);

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    static Path keys;

    @TempDir
    Path dir;

    @BeforeAll
    static void keysAndCelery() throws IOException, InterruptedException {
        PythonProcesses.requireModules("celery", "redis", "cryptography");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "no /usr/bin/openssl");
        Files.createDirectories(keys.resolve("store"));
        for (String name : List.of("celeriac", "python", "mallory")) {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                    "-days", "1", "-subj", "/C=DE/O=Celeriac Interop/CN=" + name, "-set_serial", "17");
        }
        // PKCS#1, as older OpenSSL and many guides write keys
        openssl("rsa", "-in", "celeriac.key", "-traditional", "-out", "celeriac-pkcs1.key");
        Files.copy(keys.resolve("celeriac.pem"), keys.resolve("store/celeriac.pem"));
        Files.copy(keys.resolve("python.pem"), keys.resolve("store/python.pem"));
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(keys.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as(command + "\n" + out).isTrue();
    }

    private static Map<String, String> signing(String key, String cert) {
        return Map.of(Settings.TASK_SERIALIZER, "auth", Settings.ACCEPT_CONTENT, "auth",
                Settings.SECURITY_KEY, keys.resolve(key).toString(),
                Settings.SECURITY_CERTIFICATE, keys.resolve(cert).toString(),
                Settings.SECURITY_CERT_STORE, keys.resolve("store").resolve("*.pem").toString());
    }

    /** A script's output; it exits with 0 within a minute. */
    private String runPython(String name, String script, String... args) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".py"), script, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(name + ".py"));
        command.addAll(List.of(args));
        PythonProcesses.Child child = python.start(dir, name, Map.of(), command.toArray(String[]::new));
        int exit = child.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as(child.output()).isZero();
        return child.output();
    }

    /** Celery's {@code setup_security} for an app of the script: its key signs, the store's certificates verify. */
    private static final String PYTHON_SECURITY = """
            import sys
            from celery import Celery

            broker, backend, keys = sys.argv[1], sys.argv[2], sys.argv[3]

            def secured(app, name):
                app.conf.update(security_key=f'{keys}/{name}.key', security_certificate=f'{keys}/{name}.pem',
                                security_cert_store=f'{keys}/store/*.pem', task_serializer='auth',
                                accept_content=['auth'], result_accept_content=['json'])
                # kombu's serializer registry is global: the last setup_security signs for every app
                app.setup_security()
                return app

            def outcome(result):
                try:
                    return result.get(timeout=30)
                except Exception as e:
                    return f'{type(e).__module__}.{type(e).__name__}: {e}'
            """;

    @Test
    void pythonSignedTasksRunOnCeleriacWorkerWhichRefusesUnsignedAndUntrustedOnes() throws Exception {
        Map<String, String> settings = new HashMap<>(signing("celeriac-pkcs1.key", "celeriac.pem"));
        Celeriac app = apps.app(settings);
        apps.worker(app, app.workerOptions().withConcurrency(2), app.dispatchOptions());

        String out = runPython("client", PYTHON_SECURITY + """
                signed = Celery(broker=broker, backend=backend)
                secured(signed, 'python')
                print('signed add:', outcome(signed.send_task('demo.add', (2, 3))), flush=True)
                echoed = outcome(signed.send_task('demo.echo', ['caf\\u00e9 \\U0001F600'], {'k': [1, None]}))
                print('signed echo:', echoed == [['caf\\u00e9 \\U0001F600'], {'k': [1, None]}], flush=True)

                unsigned = Celery(broker=broker, backend=backend)  # JSON, as any client by default
                print('unsigned:', outcome(unsigned.send_task('demo.add', (1, 1))), flush=True)

                forged = secured(Celery(broker=broker, backend=backend), 'mallory')
                print('untrusted:', outcome(forged.send_task('demo.add', (1, 2))), flush=True)

                secured(signed, 'python')
                print('signed again:', outcome(signed.send_task('demo.add', (20, 22))), flush=True)
                # remote control is signed too, both ways, as Celery's mailbox uses task_serializer
                print('ping:', signed.control.ping(timeout=1), flush=True)
                """, REDIS.url(0), REDIS.url(1), keys.toString());

        assertThat(out).contains("signed add: 5\n", "signed echo: True\n", "signed again: 42\n");
        assertThat(out).contains("ping: [{'" + app.workerOptions().hostname() + "': {'ok': 'pong'}}]\n");
        assertThat(out).contains("unsigned: kombu.exceptions.ContentDisallowed: content type 'application/json' is "
                + "not accepted");
        assertThat(out).contains("untrusted: celery.exceptions.SecurityError: Unknown certificate: "
                + "'DE Celeriac Interop mallory 17'\n");
        try (Jedis j = apps.broker()) {
            assertThat(j.llen("celeriac.dead_letter")).as("the two refused messages, kept").isEqualTo(2);
        }
    }

    @Test
    void celeriacSignedTasksRunOnCeleryWorkerWhichRefusesUnsignedAndUntrustedOnes() throws Exception {
        Files.writeString(dir.resolve("pysigned.py"), """
                import os
                from celery import Celery
                app = Celery('pysigned', broker=os.environ['PYDEMO_BROKER'], backend=os.environ['PYDEMO_BACKEND'])
                keys = os.environ['PYDEMO_KEYS']
                app.conf.update(security_key=f'{keys}/python.key', security_certificate=f'{keys}/python.pem',
                                security_cert_store=f'{keys}/store/*.pem', task_serializer='auth',
                                accept_content=['auth'], result_accept_content=['json'])
                app.setup_security()

                @app.task(name='demo.add')
                def add(x, y):
                    return x + y

                @app.task(name='demo.echo')
                def echo(*args, **kwargs):
                    return [list(args), kwargs]
                """, StandardCharsets.UTF_8);
        PythonProcesses.Child worker = python.start(dir, "pyworker", Map.of("PYDEMO_BROKER", REDIS.url(0),
                "PYDEMO_BACKEND", REDIS.url(1), "PYDEMO_KEYS", keys.toString()), "-m", "celery", "-A", "pysigned",
                "worker", "-P", "solo", "-c", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-l", "info");
        worker.awaitOutput(" ready.");

        Celeriac signed = apps.app(signing("celeriac.key", "celeriac.pem"));
        assertThat(signed.client().send("demo.add", List.of(2, 3), Map.of()).get(RedisApps.WAIT)).isEqualTo(5);
        List<Object> args = List.of("caf\u00e9 \ud83d\ude00", Map.of("n", List.of(1, 2.5)));
        assertThat(signed.client().send("demo.echo", args, Map.of("k", "v")).get(RedisApps.WAIT))
                .isEqualTo(List.of(args, Map.of("k", "v")));

        String unsigned = apps.app().client().send("demo.add", List.of(1, 1), Map.of()).id();
        worker.awaitOutput("ContentDisallowed");
        String untrusted = apps.app(signing("mallory.key", "mallory.pem")).client()
                .send("demo.add", List.of(1, 2), Map.of()).id();
        worker.awaitOutput("Unknown certificate: b'DE Celeriac Interop mallory 17'");

        assertThat(worker.output()).doesNotContain("Task demo.add[" + unsigned + "] succeeded",
                "Task demo.add[" + untrusted + "] succeeded");
        assertThat(signed.client().send("demo.add", List.of(20, 22), Map.of()).get(RedisApps.WAIT)).isEqualTo(42);
        assertThat(signed.control().call("ping", Map.of(), ControlTarget.all().withTimeout(Duration.ofSeconds(1))))
                .hasSize(1).containsValue(Map.of("ok", "pong"));
    }
}
