package org.celeriac.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.spi.transport.Subscription;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code celeriac events}: the live event stream of every worker on the broker, Celery's and Celeriac's: one line per
 * event, Celery's {@code --dump} lines, or a view redrawn in place ({@code --top}).
 */
@Command(name = "events", sortOptions = false,
        description = {"Print the events the workers (and clients with task_send_sent_event) publish, as they come, "
                + "until Ctrl-C. Workers always send heartbeats; task events only with -E "
                + "(worker_send_task_events) or after 'celeriac control enable_events'."})
final class EventsCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--dump", description = "Celery's 'celery events --dump' lines.")
    boolean dump;

    @Option(names = "--top", description = "A view of the workers and the latest tasks, redrawn every second.")
    boolean top;

    @Option(names = "--for", paramLabel = "SECONDS", description = "Stop after this long (default: until Ctrl-C).")
    Double seconds;

    @Option(names = "--filter", paramLabel = "PATTERN", defaultValue = "#",
            description = "Routing keys to show, AMQP style: task.# (tasks), worker.heartbeat, ... "
                    + "(default: ${DEFAULT-VALUE}, everything).")
    String pattern;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        if (dump && top) {
            throw new IllegalArgumentException("--dump and --top do not go together");
        }
        StopRequest stop = root.context().stopRequests().get();
        PrintWriter out = spec.commandLine().getOut();
        EventLines lines = new EventLines();
        EventsTop view = new EventsTop();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "celeriac-events-cli");
            t.setDaemon(true);
            return t;
        });
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            String broker = Urls.redact(app.settings().get(Settings.BROKER_URL));
            if (!top) {
                out.println("-> celeriac events: listening on " + broker + " (Ctrl-C to stop)");
                out.flush();
            }
            try (Subscription s = app.events(pattern, e -> {
                if (top) {
                    view.add(e);
                } else {
                    synchronized (out) {
                        out.println(dump ? lines.dump(e) : lines.line(e));
                        out.flush();
                    }
                }
            })) {
                if (top) {
                    timer.scheduleWithFixedDelay(() -> draw(out, view, broker), 0,
                            EventsTop.redrawEvery().toMillis(), TimeUnit.MILLISECONDS);
                }
                if (seconds != null) {
                    timer.schedule(stop::request, (long) (seconds * 1000), TimeUnit.MILLISECONDS);
                }
                stop.await();
            }
        } finally {
            timer.shutdownNow();
            stop.stopped();
        }
        return ExitCodes.OK;
    }

    /** Clears the terminal and draws the view from its top left corner. */
    private static void draw(PrintWriter out, EventsTop view, String broker) {
        StringBuilder screen = new StringBuilder("\033[H\033[2J");
        for (String line : view.render(System.currentTimeMillis() / 1000.0, broker)) {
            screen.append(line).append('\n');
        }
        synchronized (out) {
            out.print(screen);
            out.flush();
        }
    }
}
