package org.celeriac.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.monitor.ApiAuth;
import org.celeriac.monitor.Monitor;
import org.celeriac.monitor.MonitorConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code celeriac monitor}: Flower's job. Follows the event stream of every worker on the broker, Celery's and
 * Celeriac's, and serves what it learns at Flower's API paths until Ctrl-C.
 */
@Command(name = "monitor", sortOptions = false,
        description = {"Serve the cluster's workers and tasks over HTTP: pages at Flower's paths (/, /tasks, /task/ID, "
                + "/broker) that update live, and Flower's API (/api/workers, /api/tasks, /api/task/info/ID, ...), "
                + "from the events the workers send (start them with -E, or "
                + "'celeriac control enable_events'). Bound to loopback unless told otherwise; anywhere else it "
                + "needs --basic-auth or an API token."})
final class MonitorCommand implements Callable<Integer> {
    /** The API tokens, comma-separated, kept out of the command line. */
    static final String API_TOKENS_VARIABLE = "CELERIAC_MONITOR_API_TOKENS";

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "5555",
            description = "Port to listen on (default: ${DEFAULT-VALUE}, Flower's).")
    int port;

    @Option(names = "--basic-auth", paramLabel = "USER:PASSWORD",
            description = "Every request needs this user and password (HTTP basic authentication).")
    String basicAuth;

    @Option(names = "--api-token", paramLabel = "TOKEN",
            description = {"A token scripts may give as 'Authorization: Bearer TOKEN' on /api/..., /metrics and "
                    + "/healthcheck; repeatable. Better from the environment, where ps does not show it: "
                    + API_TOKENS_VARIABLE + "=TOKEN,TOKEN."})
    List<String> apiTokens = new ArrayList<>();

    @Option(names = "--max-tasks", paramLabel = "N", defaultValue = "10000",
            description = "Tasks kept in memory, the oldest dropped first (default: ${DEFAULT-VALUE}, Flower's).")
    int maxTasks;

    @Option(names = "--inspect-timeout", paramLabel = "SECONDS", defaultValue = "1",
            description = "How long /api/workers waits for the workers' answers (default: ${DEFAULT-VALUE}).")
    double inspectTimeout;

    @Option(names = "--persistent",
            description = "Keep the tasks and workers seen in a database, saved every minute and at the stop, and "
                    + "load them at the next start (Flower's --persistent).")
    boolean persistent;

    @Option(names = "--db", paramLabel = "PATH", defaultValue = "./" + MonitorConfig.DEFAULT_DATABASE,
            description = "The embedded H2 database of --persistent, without its .mv.db (default: ${DEFAULT-VALUE}).")
    Path db;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        if (basicAuth != null && basicAuth.indexOf(':') < 1) {
            throw new IllegalArgumentException("--basic-auth must be USER:PASSWORD");
        }
        List<String> tokens = new ArrayList<>(apiTokens);
        tokens.addAll(ApiAuth.splitTokens(root.context().environment().get(API_TOKENS_VARIABLE)));
        if (tokens.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("--api-token must not be blank");
        }
        ApiAuth auth = ApiAuth.of(basicAuth, tokens);
        InetAddress bind = InetAddress.getByName(address);
        if (!bind.isLoopbackAddress() && !auth.required()) {
            throw new IllegalArgumentException("the monitor listens on " + address + ", beyond this machine: "
                    + "give --basic-auth USER:PASSWORD or an API token (--api-token, " + API_TOKENS_VARIABLE
                    + "), or listen on 127.0.0.1");
        }
        StopRequest stop = root.context().stopRequests().get();
        PrintWriter out = spec.commandLine().getOut();
        MonitorConfig config = new MonitorConfig(address, port, basicAuth, maxTasks,
                Seconds.nonNegative("--inspect-timeout", inspectTimeout), persistent ? db : null, tokens);
        Map<String, String> environment = new java.util.HashMap<>(root.context().environment());
        environment.remove(API_TOKENS_VARIABLE); // a secret of the monitor's, not a setting of the app
        try (Celeriac app = root.open(settings.resolve(Map.of(), environment));
             Monitor monitor = Monitor.start(app, config)) {
            InetSocketAddress at = monitor.address();
            out.println("-> celeriac monitor: http://" + at.getHostString() + ":" + at.getPort() + "/ following "
                    + Urls.redact(app.settings().get(Settings.BROKER_URL))
                    + (persistent ? ", its state kept in " + db : "") + " (Ctrl-C to stop)");
            out.flush();
            stop.await();
        } finally {
            stop.stopped();
        }
        return ExitCodes.OK;
    }
}
