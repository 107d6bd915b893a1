package org.celeriac.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;
import org.celeriac.beat.BeatEntry;
import org.celeriac.beat.BeatSettings;
import org.celeriac.beat.ScheduleFile;
import org.celeriac.beat.StoredEntries;
import org.celeriac.config.Settings;
import org.celeriac.spi.beat.ScheduleStore;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac beat}: sends periodic tasks; {@code beat list|add|remove} manage the entries. */
@Command(name = "beat", sortOptions = false,
        subcommands = {BeatCommand.ListEntries.class, BeatCommand.Add.class, BeatCommand.Remove.class},
        description = {"Run beat: send periodic tasks when their schedules say, until stopped.", "",
            "Entries come from the schedule file (--schedule, YAML in the shape of Celery's beat_schedule), from "
                    + "task packages' @Periodic methods, and from 'celeriac beat add'. Any number of beats may run "
                    + "on one store (--store): they share a lease, and only its holder sends, so each tick goes out "
                    + "once. When the holder dies another takes over within the lease (beat_lease_ttl, 5 s).", "",
            "SIGTERM or Ctrl-C stops it and hands the lease over at once."})
final class BeatCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    BeatOptions beatOptions;

    @Option(names = {"-l", "--loglevel"}, paramLabel = "LEVEL",
            description = "Log level: debug, info, warning, error. Default: info.")
    String logLevel;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        StopRequest stop = root.context().stopRequests().get();
        PrintWriter out = spec.commandLine().getOut();
        Settings resolved = settings.resolve(beatOptions.flags(), root.context().environment());
        try (Celeriac app = root.open(resolved); BeatRun run = new BeatRun(app)) {
            // the @Periodic entries of the task packages on the class path
            app.tasks().registerPackages(BeatCommand.class.getClassLoader());
            run.start();
            BeatSettings s = run.beat().settings();
            out.println("Beat " + s.holder() + " ready.");
            out.println("  broker:      " + Urls.redact(resolved.get(Settings.BROKER_URL)));
            out.println("  store:       " + run.describeStore(resolved));
            out.println("  schedule:    " + (run.file() == null ? "(no file)" : run.file()));
            out.println("  entries:     " + String.join(", ", run.beat().entries().keySet()));
            out.println("  lease:       " + s.leaseTtl().toMillis() / 1000.0 + " s; missed runs: "
                    + s.missedRun().name().toLowerCase(java.util.Locale.ROOT) + "; zone: " + s.zone());
            out.println("Stop with Ctrl-C.");
            out.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            stop.stopped();
        }
        return stop.exitCode();
    }

    /** The options that say where beat's entries and store are: for {@code beat} and {@code worker -B}. */
    static final class BeatOptions {
        @Option(names = {"-s", "--schedule"}, paramLabel = "FILE",
                description = "YAML file of periodic entries, in the shape of Celery's beat_schedule "
                        + "(beat_schedule_file); read again when it changes.")
        Path schedule;

        @Option(names = "--store", paramLabel = "URL",
                description = "Where beats keep last runs, run-time entries and their lease (beat_store): "
                        + "file:PATH, redis://..., sql:// or jdbc:... Default: file:celeriac-data/beat-schedule.json.")
        String store;

        @Option(names = "--missed-run", paramLabel = "once|skip",
                description = "Ticks that passed while no beat ran: send one run for them (once, Celery's "
                        + "behaviour) or none (skip) (beat_missed_run). Default: once.")
        String missedRun;

        Map<String, String> flags() {
            Map<String, String> flags = new HashMap<>();
            flags.put(Settings.BEAT_SCHEDULE_FILE, schedule == null ? null : schedule.toString());
            flags.put(Settings.BEAT_STORE, store);
            flags.put(Settings.BEAT_MISSED_RUN, missedRun);
            return flags;
        }
    }

    /** {@code celeriac beat list}: every entry, with its last and next run. */
    @Command(name = "list", description = "List the entries: those of the schedule file and the store's.")
    static final class ListEntries implements Callable<Integer> {
        @ParentCommand
        BeatCommand beat;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "One JSON object: entries by name.")
        boolean json;

        @Mixin
        BeatOptions beatOptions;

        @Mixin
        SettingsOptions settings;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Settings resolved = settings.resolve(beatOptions.flags(), beat.root.context().environment());
            try (Celeriac app = beat.root.open(resolved); BeatRun run = new BeatRun(app)) {
                Map<String, BeatEntry> entries = run.beat().entries();
                Map<String, Instant> lastRuns = run.lastRuns();
                Map<String, Object> listed = new LinkedHashMap<>();
                entries.forEach((name, e) -> {
                    Instant last = lastRuns.get(name);
                    Instant next = e.schedule().nextAfter(last == null ? Instant.now() : last).orElse(null);
                    Map<String, Object> row = new LinkedHashMap<>(e.toDefinition());
                    row.put("last_run_at", last == null ? null : last.toString());
                    row.put("next_run_at", next == null ? null : next.toString());
                    listed.put(name, row);
                    if (!json) {
                        out.println(name + "  " + e.task() + "  " + e.schedule().describe() + "  last: "
                                + (last == null ? "never" : last) + "  next: " + (next == null ? "never" : next));
                    }
                });
                if (json) {
                    out.println(new Json().print(listed));
                } else if (entries.isEmpty()) {
                    out.println("No entries.");
                }
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /** {@code celeriac beat add}: an entry kept in the store, for every beat of it. */
    @Command(name = "add", description = {"Add an entry to the store (or replace the one of that name): every beat "
            + "of the store runs it, from its next tick."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        BeatCommand beat;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "The entry's name.")
        String name;

        @Option(names = "--task", required = true, paramLabel = "TASK", description = "The task to send (demo.add).")
        String task;

        @Option(names = "--every", paramLabel = "YAML", required = true,
                description = "When: seconds (10, 0.5), or a schedule as in the file: "
                        + "'{crontab: \"*/15 9-17 * * mon-fri\"}', '{solar: sunset, lat: 52.5, lon: 13.4}', "
                        + "'{clocked: 2027-01-01T00:00:00Z}'.")
        String schedule;

        @Option(names = "--args", paramLabel = "JSON", description = "Positional arguments, a JSON array. Default: [].")
        String args;

        @Option(names = "--kwargs", paramLabel = "JSON",
                description = "Keyword arguments, a JSON object. Default: {}.")
        String kwargs;

        @Option(names = "--options", paramLabel = "JSON",
                description = "apply_async options, a JSON object: queue, expires, priority, countdown, ...")
        String options;

        @Mixin
        BeatOptions beatOptions;

        @Mixin
        SettingsOptions settings;

        @Override
        public Integer call() throws Exception {
            Settings resolved = settings.resolve(beatOptions.flags(), beat.root.context().environment());
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("task", task);
            definition.put("schedule", ScheduleFile.parseValue(schedule));
            Json json = new Json();
            if (args != null) {
                definition.put("args", json.array("--args", args));
            }
            if (kwargs != null) {
                definition.put("kwargs", json.object("--kwargs", kwargs));
            }
            if (options != null) {
                definition.put("options", json.object("--options", options));
            }
            try (Celeriac app = beat.root.open(resolved); ScheduleStore store = app.openScheduleStore()) {
                BeatSettings s = app.beatSettings();
                BeatEntry entry = BeatEntry.fromDefinition(name, definition, s.zone());
                new StoredEntries(store, s.zone()).add(entry);
                spec.commandLine().getOut().println("Added " + name + ": " + task + " " + entry.schedule().describe());
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            }
        }
    }

    /** {@code celeriac beat remove}: an entry out of the store. */
    @Command(name = "remove", description = "Remove an entry added with 'beat add', and its last run.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        BeatCommand beat;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        BeatOptions beatOptions;

        @Mixin
        SettingsOptions settings;

        @Override
        public Integer call() throws Exception {
            Settings resolved = settings.resolve(beatOptions.flags(), beat.root.context().environment());
            try (Celeriac app = beat.root.open(resolved); ScheduleStore store = app.openScheduleStore()) {
                boolean had = new StoredEntries(store, app.beatSettings().zone()).remove(name);
                PrintWriter out = spec.commandLine().getOut();
                if (!had) {
                    spec.commandLine().getErr().println("celeriac: no entry '" + name + "' in the store"
                            + " (entries of the schedule file are removed from the file)");
                    spec.commandLine().getErr().flush();
                    return ExitCodes.USAGE;
                }
                out.println("Removed " + name + ".");
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

}
