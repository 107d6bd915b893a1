package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.RedisServers.Server;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis that wants a password, and a worker (at DEBUG), a monitor and the command line on it with the password in
 * their URLs, both of the forms Celeriac reads: redis-py's {@code redis://PASSWORD@host} (no user, the password alone)
 * as the broker, an ACL user's {@code redis://USER:PASSWORD@host} as the backend. The password appears nowhere they
 * show: not in the worker's banner or log, not in {@code inspect conf}, {@code inspect stats} or {@code status}, not
 * in the monitor's pages or API; where the URLs are shown, they are masked as Celery and Flower mask them.
 */
class SecretsNeverShownTest {
    private static final String PASSWORD = "s3cret-Pa55";

    @RegisterExtension
    final TestServers servers = new TestServers();

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void thePasswordOfTheBrokerAndBackendUrlsIsShownNowhere() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false, PASSWORD);
        String broker = "redis://" + PASSWORD + "@127.0.0.1:" + server.port() + "/0";
        String backend = "redis://celeriac:" + PASSWORD + "@127.0.0.1:" + server.port() + "/1";
        int monitorPort = LoopbackPorts.free("CELERIAC_TEST_MONITOR_PORTS", 1, p -> p == server.port());

        Child monitor = celeriac.start(dir, "monitor", "--port", Integer.toString(monitorPort), "--broker", broker,
                "--backend", backend);
        Child worker = celeriac.start(dir, "worker", "--broker", broker, "--backend", backend, "-n", "secrets@test",
                "-c", "1", "-E", "-l", "debug");
        worker.awaitOutput(CeleryInteropContract.CELERIAC_READY);
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend)))) {
            assertThat(app.client().send("demo.add", List.of(2, 3), Map.of()).get(CeleriacProcesses.WAIT))
                    .as("the password works").isEqualTo(5);
        }

        Map<String, String> shown = new LinkedHashMap<>();
        Map<String, Child> commands = new LinkedHashMap<>(); // side by side: each is a JVM to start
        for (String[] command : List.of(new String[] {"inspect", "conf", "--json"},
                new String[] {"inspect", "stats", "--json"}, new String[] {"inspect", "report"},
                new String[] {"status"})) {
            commands.put(String.join(" ", command), celeriac.start(dir, withUrls(command, broker, backend)));
        }
        for (Map.Entry<String, Child> c : commands.entrySet()) {
            assertThat(c.getValue().awaitExit()).as("%s: %s", c.getKey(), c.getValue().err()).isZero();
            shown.put(c.getKey(), c.getValue().out() + c.getValue().err());
        }
        monitor.awaitOutput("celeriac monitor: http://");
        URI at = URI.create("http://127.0.0.1:" + monitorPort);
        RemoteWorkers.await("the monitor to list the worker", () -> get(at, "/api/workers?refresh=1")
                .contains("secrets@test"), () -> "");
        for (String path : List.of("/api/workers?refresh=1", "/api/workers", "/api/broker", "/broker",
                "/api/tasks", "/api/queues/length", "/metrics", "/worker/secrets@test")) {
            shown.put("monitor " + path, get(at, path));
        }
        worker.process().destroy(); // a warm stop: its shutdown is logged too
        assertThat(worker.awaitExit()).isZero();
        shown.put("worker stdout", worker.out());
        shown.put("worker stderr", worker.err());
        shown.put("monitor stdout", monitor.out());
        shown.put("monitor stderr", monitor.err());

        assertThat(shown.get("worker stderr")).as("logging at DEBUG").contains("DEBUG");
        // every leak at once, each with the line it is on
        SoftAssertions leaks = new SoftAssertions();
        shown.forEach((where, text) -> leaks.assertThat(text.lines().filter(l -> l.contains(PASSWORD)).toList())
                .as(where).isEmpty());
        leaks.assertAll();
        String maskedBroker = "redis://**@127.0.0.1:" + server.port() + "/0";
        assertThat(shown.get("inspect conf --json")).contains(maskedBroker)
                .contains("redis://celeriac:**@127.0.0.1:" + server.port() + "/1");
        assertThat(shown.get("monitor /api/broker")).contains(maskedBroker);
        assertThat(shown.get("worker stdout")).contains(maskedBroker);
    }

    /** The command with the URLs, as a user gives them. */
    private static String[] withUrls(String[] command, String broker, String backend) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(List.of("--broker", broker, "--backend", backend));
        // answered as soon as the one worker replies; status waits its whole timeout
        all.addAll(command[0].equals("inspect") ? List.of("-d", "secrets@test", "-t", "10") : List.of("-t", "1"));
        return all.toArray(new String[0]);
    }

    private String get(URI at, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(at.resolve(path)).timeout(CeleriacProcesses.WAIT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }
}
