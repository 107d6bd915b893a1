package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.cli.InProcessCli.Run;
import org.junit.jupiter.api.Test;

class MonitorCommandTest {
    private final InProcessCli cli = new InProcessCli();

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
    void refusesABlankApiToken() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--api-token", " ",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--api-token must not be blank");
    }

    @Test
    void takesApiTokensFromTheOptionAndTheEnvironmentAndNeverPrintsThem() throws Exception {
        InProcessCli withTokens = new InProcessCli(Map.of(MonitorCommand.API_TOKENS_VARIABLE, "env-tok-1,env-tok-2"));
        try (InProcessCli.RunningWorker monitor = withTokens.startUntilSaid("Ctrl-C to stop", "monitor",
                "--broker", "memory://mon-tokens", "--backend", "memory://mon-tokens", "--port", "0",
                "--api-token", "cli-tok")) {
            Matcher at = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/").matcher(monitor.out().toString());
            assertThat(at.find()).as(monitor.out() + " " + monitor.err()).isTrue();
            URI status = URI.create("http://127.0.0.1:" + at.group(1) + "/api/workers?status=1");

            assertThat(statusOf(status, null)).isEqualTo(401);
            assertThat(statusOf(status, "Bearer wrong")).isEqualTo(401);
            assertThat(statusOf(status, "Bearer env-tok-2")).isEqualTo(200);
            assertThat(statusOf(status, "Bearer cli-tok")).isEqualTo(200);
            assertThat(monitor.out().toString() + monitor.err()).doesNotContain("tok-1", "tok-2", "cli-tok");
        }
    }

    private static int statusOf(URI uri, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri);
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
