package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's monitor component, built as Declarative Services builds it, on an in-memory app. */
class MonitorComponentTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private Celeriac app;
    private MonitorComponent component;

    @TempDir
    Path data;

    @BeforeEach
    void openApp() {
        app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString())
                .with(Settings.WORKER_SEND_TASK_EVENTS, "true"));
    }

    @AfterEach
    void close() {
        if (component != null) {
            component.deactivate();
        }
        app.close();
    }

    private MonitorComponent activate(Map<String, Object> properties) {
        component = new MonitorComponent(app, properties, data);
        return component;
    }

    private HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            r.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(authorization.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOnTheConfiguredLoopbackPortUntilDeactivated() throws Exception {
        int port = FreePorts.from(57_300);

        activate(Map.of("port", Integer.toString(port)));

        assertThat(component.address()).hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(port));
        assertThat(get(port, "/healthcheck", null).body()).isEqualTo("OK");
        component.deactivate();
        component = null;
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the port is free once deactivated").isEqualTo(port);
        }
    }

    @Test
    void aPortInUseLeavesTheComponentActiveWithoutAServer() throws Exception {
        int port = FreePorts.from(57_300);
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {

            activate(Map.of("port", Integer.toString(port)));

            assertThat(component.address()).isEmpty();
        }
    }

    @Test
    void refusesAnAddressBeyondLoopbackWithoutBasicAuth() {
        activate(Map.of("address", "0.0.0.0", "port", Integer.toString(FreePorts.from(57_300))));

        assertThat(component.address()).isEmpty();
    }

    @Test
    void aDisabledMonitorDoesNotServe() {
        activate(Map.of("enabled", "false", "port", Integer.toString(FreePorts.from(57_300))));

        assertThat(component.address()).isEmpty();
    }

    @Test
    void anInvalidConfigurationDoesNotServe() {
        activate(Map.of("port", "fifty-five"));

        assertThat(component.address()).isEmpty();
    }

    @Test
    void everyUserOfBasicAuthIsLetInAndNoOneElse() throws Exception {
        int port = FreePorts.from(57_300);

        activate(Map.of("port", Integer.toString(port), "basic_auth", "admin:s3cret, ops:0ther"));

        assertThat(get(port, "/healthcheck", "admin:s3cret").statusCode()).isEqualTo(200);
        assertThat(get(port, "/healthcheck", "ops:0ther").statusCode()).isEqualTo(200);
        assertThat(get(port, "/healthcheck", "ops:s3cret").statusCode()).isEqualTo(401);
        assertThat(get(port, "/healthcheck", null).statusCode()).isEqualTo(401);
    }
}
