package org.celeriac.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Canvas;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.GroupResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac call}: sends a task by name, as Celery's {@code send_task}, and may wait for its result. */
@Command(name = "call", sortOptions = false,
        description = {"Send a task by name; a worker runs it.", "",
            "Without --wait, prints the task id on standard output (read its result later with 'celeriac result ID').",
            "With --wait, prints only the result, as JSON, on standard output, and the task id on standard error; "
                    + "so  ./celeriac call demo.add --args '[2,3]' --wait  prints 5. If the task fails, prints "
                    + "TYPE: message on standard error and exits 1."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./celeriac call demo.add --args '[2,3]' --wait",
            "  ./celeriac call demo.echo --args '[1]' --kwargs '{\"greeting\": \"hi\"}' --wait",
            "  ./celeriac call demo.sleep --args '[10]' --countdown 5 --expires 60",
            "  ./celeriac call --canvas chord.json --wait"})
final class CallCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
            description = "The task's name, e.g. demo.add; none with --canvas.")
    String task;

    @Option(names = "--canvas", paramLabel = "FILE|-",
            description = "Send a workflow instead: a chain, group or chord as Celery's signature dict in JSON, "
                    + "from FILE or, with -, standard input. --wait prints what it ends with (a group: every result).")
    String canvas;

    @Option(names = "--args", paramLabel = "JSON", description = "Positional arguments, a JSON array. Default: [].")
    String args;

    @Option(names = "--kwargs", paramLabel = "JSON", description = "Keyword arguments, a JSON object. Default: {}.")
    String kwargs;

    @Option(names = {"-Q", "--queue"}, paramLabel = "QUEUE",
            description = "Queue to send to. Default: the default queue (task_default_queue), celery.")
    String queue;

    @Option(names = "--countdown", paramLabel = "S", description = "Run no earlier than S seconds from now.")
    Double countdown;

    @Option(names = "--eta", paramLabel = "ISO",
            description = "Run no earlier than this time: 2030-01-01T12:00:00Z, with an offset, or local time.")
    String eta;

    @Option(names = "--expires", paramLabel = "S", description = "Do not run it more than S seconds from now.")
    Double expires;

    @Option(names = "--priority", paramLabel = "N", description = "Message priority, where the broker supports it.")
    Integer priority;

    @Mixin
    WaitOptions waiting;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Json json = new Json();
        List<Object> positional = args == null ? List.of() : json.array("--args", args);
        Map<String, Object> named = kwargs == null ? Map.of() : json.object("--kwargs", kwargs);
        SendOptions options = sendOptions();
        Duration timeout = waiting.timeout();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((task == null) == (canvas == null)) {
            throw new IllegalArgumentException("name a task, or give --canvas, not both");
        }
        Canvas workflow = canvas == null ? null : readCanvas(json);
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            if (workflow != null && workflow.endsInGroup()) {
                GroupResult group = app.client().applyGroup(workflow);
                return report(group.id(), group::get, json, out, err, timeout, () -> "group " + group.id() + " has "
                        + group.completedCount() + " of " + group.results().size() + " results.");
            }
            AsyncResult result = workflow != null ? app.client().apply(workflow)
                    : app.client().send(task, positional, named, options);
            return report(result.id(), result::get, json, out, err, timeout, () -> "task " + result.id() + " is "
                    + result.state() + ". It may still run; see 'celeriac result " + result.id() + " --wait'.");
        }
    }

    /** What a task's or a group's result gives within a timeout. */
    private interface Outcome {
        Object get(Duration timeout) throws TaskFailedException, TimeoutException, InterruptedException;
    }

    /**
     * Without --wait prints the id; with it, the id on standard error and the value (JSON) on standard output, or the
     * failure, or where things stand when the time ran out.
     */
    private int report(String id, Outcome outcome, Json json, PrintWriter out, PrintWriter err, Duration timeout,
                       Supplier<String> standing) throws InterruptedException {
        if (!waiting.await) {
            out.println(id);
            return ExitCodes.OK;
        }
        err.println(id);
        err.flush();
        try {
            out.println(json.print(outcome.get(timeout)));
            return ExitCodes.OK;
        } catch (TaskFailedException e) {
            err.println(e.exception());
            return ExitCodes.TASK_FAILED;
        } catch (TimeoutException e) {
            err.println("Timed out after " + Seconds.format(timeout) + " s: " + standing.get());
            return ExitCodes.TIMEOUT;
        }
    }

    private Canvas readCanvas(Json json) throws IOException {
        if (args != null || kwargs != null) {
            throw new IllegalArgumentException("--canvas carries its own arguments: no --args or --kwargs with it");
        }
        String text = "-".equals(canvas) ? root.context().input().lines().collect(Collectors.joining("\n"))
                : Files.readString(Path.of(canvas), StandardCharsets.UTF_8);
        try {
            return Canvas.fromDict(json.object("--canvas", text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--canvas: " + e.getMessage(), e);
        }
    }

    private SendOptions sendOptions() {
        SendOptions options = SendOptions.defaults().queue(queue);
        if (countdown != null) {
            options = options.countdown(Seconds.nonNegative("--countdown", countdown));
        }
        if (eta != null) {
            options = options.eta(instant("--eta", eta));
        }
        if (expires != null) {
            options = options.expires(Instant.now().plus(Seconds.nonNegative("--expires", expires)));
        }
        if (priority != null) {
            options = options.priority(priority);
        }
        return options;
    }

    private static Instant instant(String option, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(option + " must be an ISO date and time such as "
                        + "2030-01-01T12:00:00Z, not '" + text + "'");
            }
        }
    }
}
