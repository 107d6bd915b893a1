package org.celeriac.osgi;

import java.nio.file.Path;
import java.util.Locale;

import org.celeriac.app.Celeriac;
import org.celeriac.beat.Beat;
import org.celeriac.beat.BeatSettings;
import org.celeriac.beat.PackageEntries;
import org.celeriac.beat.ScheduleFileSource;
import org.celeriac.config.Settings;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.beat.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a beat beside the container's app when {@code beat_enabled} is true: the entries of {@code beat_schedule_file}
 * (read again when it changes), the {@code @Periodic} ones of the deployed task packages (as they come and go) and the
 * store's. A beat that cannot start (a bad schedule file, a store it cannot open) is logged and left out; the app and
 * its worker run on. A configuration change restarts the app, and with it the beat.
 *
 * <p>Relative paths: the schedule file's resolve against the container's home (where {@code etc/} is), a relative
 * {@code file:} store's against its data directory, so that the default store lies beside the embedded database;
 * without them (a framework that is not Celeriac's container), against the working directory.
 */
final class BeatListener implements AppSupervisor.AppListener {
    private static final Logger LOG = LoggerFactory.getLogger(BeatListener.class);
    static final String FILE_SOURCE = "file";
    static final String PACKAGES_SOURCE = "packages";

    private final TaskRegistry tasks;
    private final PluginCatalog plugins;
    private final Path home;
    private final Path data;
    // On the supervisor's thread only.
    private Beat beat;
    private ScheduleStore store;

    /**
     * @param plugins where the schedule store's factory is found
     * @param home what a relative {@code beat_schedule_file} is relative to; null for the working directory
     * @param data what a relative {@code file:} store is relative to; null for the working directory
     */
    BeatListener(TaskRegistry tasks, PluginCatalog plugins, Path home, Path data) {
        this.tasks = tasks;
        this.plugins = plugins;
        this.home = home;
        this.data = data;
    }

    /** The running beat, or null. For tests. */
    Beat beat() {
        return beat;
    }

    @Override
    public void opened(Celeriac app) {
        Settings settings = app.settings();
        try {
            if (!settings.getBoolean(Settings.BEAT_ENABLED)) {
                return;
            }
            BeatSettings beatSettings = app.beatSettings();
            String fileName = settings.get(Settings.BEAT_SCHEDULE_FILE);
            // the file first: a bad one stops the beat before the store is opened
            ScheduleFileSource file = fileName == null || fileName.isBlank() ? null
                    : new ScheduleFileSource(resolve(home, Path.of(fileName.trim())), beatSettings.zone());
            String url = storeUrl(settings);
            store = plugins.scheduleStoreFor(url).open(url, settings.withPrefix("beat_store_options."));
            beat = app.beat(store, beatSettings);
            beat.entries(PACKAGES_SOURCE, new PackageEntries(tasks, beatSettings.zone()));
            if (file != null) {
                beat.entries(FILE_SOURCE, file);
            }
            beat.start();
            // the store's scheme only: its URL may carry a password
            LOG.info("Beat runs in the container: schedule file {}, a '{}' store{}",
                    file == null ? "none" : file.file(), PluginCatalog.schemeOf(url),
                    url.startsWith("file:") ? " at " + url : "");
        } catch (RuntimeException | LinkageError e) {
            closeBeat();
            if (e instanceof IllegalArgumentException) { // a bad file or setting: the message says it all
                LOG.error("Beat cannot start; the worker runs without it until the configuration changes: {}",
                        e.getMessage());
            } else {
                LOG.error("Beat cannot start; the worker runs without it until the configuration changes", e);
            }
        }
    }

    @Override
    public void closing(Celeriac app) {
        closeBeat();
    }

    /** The beat first, which gives up its lease, then the store. */
    private void closeBeat() {
        Beat b = beat;
        ScheduleStore s = store;
        beat = null;
        store = null;
        try {
            if (b != null) {
                b.close();
            }
        } finally {
            if (s != null) {
                s.close();
            }
        }
    }

    /** {@code beat_store}, a relative {@code file:} path made absolute against the data directory. */
    String storeUrl(Settings settings) {
        String url = settings.get(Settings.BEAT_STORE).trim();
        if (data == null || !url.toLowerCase(Locale.ROOT).startsWith("file:")) {
            return url;
        }
        String rest = url.substring("file:".length());
        if (rest.isEmpty() || rest.startsWith("/")) {
            return url; // file:///abs, file:/abs, or wrong: the store's factory says
        }
        Path path = Path.of(rest);
        return path.isAbsolute() ? url : data.resolve(path).toAbsolutePath().normalize().toUri().toString();
    }

    private static Path resolve(Path base, Path path) {
        return base == null || path.isAbsolute() ? path.toAbsolutePath() : base.resolve(path).normalize();
    }
}
