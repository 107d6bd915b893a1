package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorCommandTest {
    private static final String READY = "(Ctrl-C to stop)";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InProcessCli cli = new InProcessCli();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void refusesToListenBeyondLoopbackWithoutAPassword() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--address", "0.0.0.0",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("give --basic-auth USER:PASSWORD");
    }

    @Test
    void refusesABasicAuthWithoutAPassword() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--basic-auth", "admin",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--basic-auth must be USER:PASSWORD");
    }

    @Test
    void aMonitorRestartedWithPersistentStillListsATaskItSawBefore(@TempDir Path dir) throws Exception {
        String db = dir.resolve("monitor").toString();
        String id;
        try (RunningWorker worker = cli.startWorker("--broker", "memory://persist", "--backend", "memory://persist",
                "-E", "-c", "1");
             RunningWorker monitor = cli.startUntilReady(READY, "monitor", "--broker", "memory://persist", "--backend",
                     "memory://persist", "--port", Integer.toString(freePort()), "--persistent", "--db", db)) {
            assertThat(monitor.out().toString()).contains("its state kept in " + db);
            int port = portOf(monitor);
            id = cli.run("call", "--broker", "memory://persist", "--backend", "memory://persist", "demo.add",
                    "--args", "[2,3]").out().strip();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!taskInfo(port, id).contains("\"SUCCESS\"") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(taskInfo(port, id)).contains("\"state\":\"SUCCESS\"");
        }

        // Another broker, where nothing happened: the task comes from the database.
        try (RunningWorker monitor = cli.startUntilReady(READY, "monitor", "--broker", "memory://elsewhere",
                "--backend", "memory://elsewhere", "--port", Integer.toString(freePort()), "--persistent", "--db", db)) {
            assertThat(taskInfo(portOf(monitor), id)).contains("\"name\":\"demo.add\"", "\"state\":\"SUCCESS\"");
        }
    }

    private String taskInfo(int port, String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/task/info/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** The port in the monitor's first line: {@code -> celeriac monitor: http://127.0.0.1:PORT/ ...}. */
    private static int portOf(RunningWorker monitor) {
        String out = monitor.out().toString();
        int start = out.indexOf("http://127.0.0.1:") + "http://127.0.0.1:".length();
        return Integer.parseInt(out.substring(start, out.indexOf('/', start)));
    }

    /** A free loopback port within this test's share of the build's ports (57380 to 57399). */
    private static int freePort() {
        for (int port = 57_380; port < 57_400; port++) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("no free port from 57380 to 57399");
    }

    @Test
    void refusesABlankApiToken() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--api-token", " ",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--api-token must not be blank");
    }

    @Test
    void takesApiTokensFromTheOptionAndTheEnvironmentAndNeverPrintsThem() throws Exception {
        InProcessCli withTokens = new InProcessCli(Map.of(MonitorCommand.API_TOKENS_VARIABLE, "env-tok-1,env-tok-2"));
        try (RunningWorker monitor = withTokens.startUntilReady(READY, "monitor", "--broker", "memory://mon-tokens",
                "--backend", "memory://mon-tokens", "--port", Integer.toString(freePort()), "--api-token", "cli-tok")) {
            URI status = URI.create("http://127.0.0.1:" + portOf(monitor) + "/api/workers?status=1");

            assertThat(statusOf(status, null)).isEqualTo(401);
            assertThat(statusOf(status, "Bearer wrong")).isEqualTo(401);
            assertThat(statusOf(status, "Bearer env-tok-2")).isEqualTo(200);
            assertThat(statusOf(status, "Bearer cli-tok")).isEqualTo(200);
            assertThat(monitor.out().toString() + monitor.err()).doesNotContain("tok-1", "tok-2", "cli-tok");
        }
    }

    private int statusOf(URI uri, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri);
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
