package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real Flower 2.0.1: the unmodified release in {@code shared/third-party/flower-2.0.1.tar.gz} (system property
 * {@code celeriac.flower.tarball}), unpacked to a test's directory and run there as a process of Debian's Python,
 * with {@code FLOWER_UNAUTHENTICATED_API=1}, on a free loopback port ({@code CELERIAC_TEST_FLOWER_PORTS}).
 */
final class FlowerProcess {
    private static final Path TARBALL = Path.of(System.getProperty("celeriac.flower.tarball",
            "../../shared/third-party/flower-2.0.1.tar.gz"));

    private final PythonProcesses.Child child;
    private final URI base;

    private FlowerProcess(PythonProcesses.Child child, URI base) {
        this.child = child;
        this.base = base;
    }

    /** Skips the calling class (fails it under CI) when Flower's release or its Python modules are missing. */
    static void require() throws InterruptedException {
        PythonProcesses.requireModules("celery", "tornado", "humanize", "prometheus_client", "pytz");
        if (!Files.isRegularFile(TARBALL)) {
            String why = "no Flower release at " + TARBALL.toAbsolutePath();
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, why);
        }
    }

    /**
     * Unpacks the release into {@code dir} and starts {@code python3 -m flower [OPTIONS] --broker=URL flower} there
     * (so that {@code -A rcapp} finds the app module of {@link RemoteWorkers}); returns at once.
     */
    static FlowerProcess launch(PythonProcesses python, Path dir, String broker, String... celeryOptions)
            throws IOException, InterruptedException {
        Path unpacked = Files.createDirectories(dir.resolve("flower-release"));
        Process tar = new ProcessBuilder("tar", "-xzf", TARBALL.toAbsolutePath().toString(), "-C",
                unpacked.toString()).redirectErrorStream(true).start();
        String tarOut = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(RemoteWorkers.WAIT.toSeconds(), TimeUnit.SECONDS) && tar.exitValue() == 0)
                .as("tar -xzf %s: %s", TARBALL, tarOut).isTrue();
        Path home = unpacked.resolve("flower-2.0.1");
        assertThat(home.resolve("flower/__main__.py")).isRegularFile();

        int port = LoopbackPorts.free("CELERIAC_TEST_FLOWER_PORTS", 1, p -> false);
        List<String> args = new ArrayList<>(List.of("-m", "flower"));
        args.addAll(List.of(celeryOptions));
        args.addAll(List.of("--broker=" + broker, "flower", "--address=127.0.0.1", "--port=" + port,
                "--inspect_timeout=2000"));
        PythonProcesses.Child child = python.start(dir, "flower",
                Map.of("FLOWER_UNAUTHENTICATED_API", "1", "PYTHONPATH", home.toString()),
                args.toArray(String[]::new));
        return new FlowerProcess(child, URI.create("http://127.0.0.1:" + port));
    }

    /** Waits until Flower answers its health check; returns its address. */
    URI awaitAnswering() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        RemoteWorkers.await("Flower to answer on " + base, () -> {
            if (!child.process().isAlive()) {
                throw new AssertionError("Flower exited with " + child.process().exitValue() + ":\n"
                        + child.output());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/healthcheck")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        }, child::output);
        return base;
    }

    /** The port it listens on, or will. */
    int port() {
        return base.getPort();
    }

    String output() {
        return child.output();
    }
}
