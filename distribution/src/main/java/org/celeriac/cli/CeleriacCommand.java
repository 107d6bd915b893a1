package org.celeriac.cli;

import java.io.PrintWriter;
import java.util.Set;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code celeriac}: the command line. Subcommands run the container or a plain worker, send tasks and read results. */
@Command(name = "celeriac", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"A task queue for the JVM that speaks Celery's protocol.", "",
            "Quick start, in two terminals:",
            "  ./celeriac start",
            "  ./celeriac call demo.add --args '[2,3]' --wait"},
        optionListHeading = "%nOptions:%n", commandListHeading = "%nCommands:%n",
        subcommands = {StartCommand.class, WorkerCommand.class, ContainerCommand.class, CallCommand.class,
            ResultCommand.class, PurgeCommand.class, InspectCommand.class, ControlCliCommand.class, StatusCommand.class,
            EventsCommand.class, BeatCommand.class, MonitorCommand.class, HelpCommand.class},
        footerHeading = "%nSettings:%n",
        footer = {"Settings have Celery's names (broker_url, result_backend, worker_concurrency, task_acks_late, "
                + "worker_queues, worker_prefetch_multiplier, worker_hostname, task_default_queue, ...). Each comes "
                + "from the first of: a flag, an environment variable CELERIAC_<NAME> (CELERIAC_BROKER_URL; a "
                + "double underscore for a dot: CELERIAC_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT), the "
                + "settings file (--config), the default."})
public final class CeleriacCommand implements Runnable {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    CeleriacCommand(CliContext context) {
        this.context = context;
    }

    public static void main(String[] args) {
        quietLogsUnlessWorker(args);
        System.exit(commandLine(CliContext.ofProcess()).execute(args));
    }

    /**
     * Commands that send or read a task log only warnings: their standard error carries the task id and the
     * error, not connection chatter. Set before anything logs, since slf4j-simple reads it once.
     */
    private static void quietLogsUnlessWorker(String[] args) {
        String logLevel = "org.slf4j.simpleLogger.log.org.celeriac";
        boolean runsWorker = args.length > 0 && Set.of("worker", "start", "container").contains(args[0])
                || args.length > 0 && args[0].equals("beat")
                && (args.length == 1 || !Set.of("list", "add", "remove").contains(args[1]));
        String asked = logLevelFlag(args);
        if (asked != null && System.getProperty(logLevel) == null) {
            System.setProperty(logLevel, asked);
        } else if (args.length > 0 && !runsWorker && System.getProperty(logLevel) == null) {
            System.setProperty(logLevel, "warn");
        }
    }

    /** The {@code -l/--loglevel} of worker or beat, with Celery's level names, as slf4j-simple names it; or null. */
    static String logLevelFlag(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = null;
            if ((args[i].equals("-l") || args[i].equals("--loglevel")) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith("--loglevel=")) {
                value = args[i].substring("--loglevel=".length());
            }
            if (value != null) {
                return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "warning", "warn" -> "warn";
                    case "critical", "fatal", "error" -> "error";
                    case "debug" -> "debug";
                    case "trace" -> "trace";
                    default -> "info";
                };
            }
        }
        return null;
    }

    /** The command line with this project's error handling and exit codes. */
    static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new CeleriacCommand(context));
        cl.setParameterExceptionHandler(CeleriacCommand::onBadUsage);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> onFailure(e, command));
        listExitCodes(cl);
        return cl;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing command: start, worker, container, call, result, purge, inspect, control, status, events or beat");
    }

    CliContext context() {
        return context;
    }

    /** Opens the app the settings describe, with the context's plugins. */
    Celeriac open(Settings settings) {
        return Celeriac.open(settings, context.plugins().get());
    }

    private static void listExitCodes(CommandLine cl) {
        if (!(cl.getCommand() instanceof HelpCommand)) {
            cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
                    .exitCodeList(ExitCodes.forHelp(cl.getCommandName()));
        }
        cl.getSubcommands().values().forEach(CeleriacCommand::listExitCodes);
    }

    /** Usage errors: the message and where to read more, not the whole usage text. */
    private static int onBadUsage(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText("celeriac: " + e.getMessage()));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * Failures while a command runs. Invalid input detected late (bad JSON, a setting out of range, an unknown
     * URL scheme) is a usage error; anything else is Celeriac failing, with the causes shown.
     */
    private static int onFailure(Exception e, CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        if (e instanceof ParameterException p) {
            return onBadUsage(p, new String[0]);
        }
        if (e instanceof IllegalArgumentException) {
            err.println("celeriac: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        if (e instanceof UnsupportedOperationException) {
            // what the broker cannot do (remote control on SQS): its message says it all
            err.println("celeriac: " + e.getMessage());
            err.flush();
            return ExitCodes.ERROR;
        }
        StringBuilder message = new StringBuilder("celeriac: error: ").append(e);
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            message.append(System.lineSeparator()).append("  caused by: ").append(cause);
        }
        err.println(message);
        err.flush();
        return ExitCodes.ERROR;
    }
}
