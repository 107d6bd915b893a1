package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.container.Eventually.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The monitor as a bundle of the real container: configured by etc/org.celeriac.monitor.cfg, serving the
 * container's own worker, moved by a change of the file, gone with its bundle.
 */
class MonitorBundleIT {
    private static final String WORKER = "monitor@container-it";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private Container container;

    @AfterEach
    void stopContainer() {
        if (container != null) {
            container.close();
        }
    }

    @Test
    void servesTheContainersWorkerMovesWithItsConfigurationAndStopsWithItsBundle() throws Exception {
        int first = freePort(57_340);
        int second = freePort(first + 1);
        ContainerHome home = new ContainerHome(dir.resolve("home"), ContainerIT.SHIPPED_BUNDLES);
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.etc());
        Files.writeString(home.celeriacConfig(), "broker_url = memory://monitor-it\nresult_backend = memory://monitor-it\n"
                + "worker_hostname = " + WORKER + "\n");
        writeMonitorConfig(home, "port = " + first + "\n");

        container = Container.start(home, ContainerIT.FAST_POLLING);

        await("the monitor's healthcheck on port " + first, () -> get(first, "/healthcheck"),
                r -> r.isPresent() && r.get().statusCode() == 200);
        assertThat(get(first, "/healthcheck").orElseThrow().body()).isEqualTo("OK");
        Map<String, Object> workers = await("the container's worker at /api/workers",
                () -> workers(first), w -> w.containsKey(WORKER));
        assertThat(workers.get(WORKER)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsKeys("stats", "registered", "active_queues");

        writeMonitorConfig(home, "port = " + second + "\n");
        await("the monitor's healthcheck on port " + second, () -> get(second, "/healthcheck"),
                r -> r.isPresent() && r.get().statusCode() == 200);
        assertThat(get(first, "/healthcheck")).as("the first port, once the monitor moved").isEmpty();

        Bundle monitor = Arrays.stream(container.context().getBundles())
                .filter(b -> "org.celeriac.monitor".equals(b.getSymbolicName())).findFirst().orElseThrow();
        monitor.stop();
        assertThat(get(second, "/healthcheck")).as("the port, once the bundle stopped").isEmpty();
    }

    @Test
    void aPersistentMonitorKeepsItsStateInTheHomesDataDirectory() throws Exception {
        int port = freePort(57_360);
        ContainerHome home = new ContainerHome(dir.resolve("home"), ContainerIT.SHIPPED_BUNDLES);
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.etc());
        Files.writeString(home.celeriacConfig(), "broker_url = memory://monitor-it\nresult_backend = memory://monitor-it\n");
        writeMonitorConfig(home, "port = " + port + "\npersistent = true\n");

        container = Container.start(home, ContainerIT.FAST_POLLING);

        await("the monitor's healthcheck on port " + port, () -> get(port, "/healthcheck"),
                r -> r.isPresent() && r.get().statusCode() == 200);
        assertThat(home.data().resolve("celeriac-data/monitor.mv.db")).isRegularFile();
    }

    /** Replaced at once, as an editor saving it would: FileInstall never reads half a file. */
    private void writeMonitorConfig(ContainerHome home, String content) throws IOException {
        Path staged = dir.resolve("org.celeriac.monitor.cfg.tmp");
        Files.writeString(staged, content);
        Files.move(staged, home.etc().resolve("org.celeriac.monitor.cfg"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private Map<String, Object> workers(int port) throws Exception {
        Optional<HttpResponse<String>> r = get(port, "/api/workers?refresh=true");
        if (r.isEmpty() || r.get().statusCode() != 200) {
            return Map.of();
        }
        return json.readValue(r.get().body(), new TypeReference<Map<String, Object>>() { });
    }

    /** The response, or empty when nothing listens on the port. */
    private Optional<HttpResponse<String>> get(int port, String path) throws InterruptedException {
        try {
            return Optional.of(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A free loopback port from {@code first} on, within this test's share (57340 to 57379) of the build's ports. */
    private static int freePort(int first) {
        for (int port = first; port < 57_380; port++) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("no free port from " + first + " to 57379");
    }
}
