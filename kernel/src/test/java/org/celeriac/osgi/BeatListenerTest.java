package org.celeriac.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.beat.FileScheduleStoreFactory;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.task.Periodic;
import org.celeriac.task.Task;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeatListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A task package's periodic task. */
    public static final class Nightly {
        @Task(name = "listener.nightly")
        @Periodic(crontab = "0 3 * * *")
        public static void nightly() {
        }
    }

    @TempDir
    Path home;
    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final TaskRegistry tasks = new TaskRegistry();
    private BeatListener listener;
    private Celeriac app;
    private Worker worker;

    @BeforeEach
    void setUp() {
        tasks.register(SupervisedTasks.class);
        tasks.register(Nightly.class);
        listener = new BeatListener(tasks, plugins, home, home.resolve("data"));
    }

    @AfterEach
    void tearDown() {
        if (app != null) {
            listener.closing(app);
            app.close();
        }
    }

    private Celeriac open(Map<String, String> beat) {
        Map<String, String> values = new HashMap<>(Celeriac.inMemory(UUID.randomUUID().toString()).asMap());
        values.putAll(beat);
        app = Celeriac.open(Settings.of(values), plugins, tasks);
        worker = app.worker(app.workerOptions());
        worker.start();
        listener.opened(app);
        return app;
    }

    private void schedule(String yaml) throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/beat.yaml"), yaml);
    }

    @Test
    void runsNoBeatUnlessEnabled() throws Exception {
        schedule("twice:\n  task: supervised.twice\n  schedule: 0.2\n  args: [1]\n");

        open(Map.of(Settings.BEAT_SCHEDULE_FILE, "etc/beat.yaml"));

        assertThat(listener.beat()).isNull();
        assertThat(home.resolve("data")).doesNotExist();
    }

    @Test
    void sendsTheEntriesOfTheFileInTheHomeAndOfThePackages() throws Exception {
        schedule("twice:\n  task: supervised.twice\n  schedule: 0.2\n  args: [1]\n");

        open(Map.of(Settings.BEAT_ENABLED, "true", Settings.BEAT_SCHEDULE_FILE, "etc/beat.yaml",
                Settings.BEAT_LEASE_TTL, "1"));

        assertThat(listener.beat().entries()).containsKeys("twice", "listener.nightly");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (listener.beat().sent() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(listener.beat().sent()).isGreaterThanOrEqualTo(2);
        // the default store, relative to the data directory
        assertThat(home.resolve("data/celeriac-data/beat-schedule.json")).exists();
    }

    @Test
    void closingStopsTheBeatAndGivesUpItsLease() throws Exception {
        open(Map.of(Settings.BEAT_ENABLED, "true", Settings.BEAT_STORE, "file:beat.json"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!listener.beat().leading() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(listener.beat().leading()).isTrue();

        listener.closing(app);

        assertThat(listener.beat()).isNull();
        String url = home.resolve("data/beat.json").toUri().toString();
        try (ScheduleStore store = new FileScheduleStoreFactory().open(url, Map.of())) {
            assertThat(store.leaseHolder()).isEmpty();
        }
    }

    @Test
    void aBadScheduleFileLeavesTheBeatOutAndTheWorkerRunning() throws Exception {
        schedule("- task: supervised.twice\n");

        Celeriac opened = open(Map.of(Settings.BEAT_ENABLED, "true", Settings.BEAT_SCHEDULE_FILE, "etc/beat.yaml"));

        assertThat(listener.beat()).isNull();
        assertThat(opened.client().send("supervised.twice", java.util.List.of(4), Map.of()).get(WAIT)).isEqualTo(8);
    }

    @Test
    void aMissingScheduleFileLeavesTheBeatOut() {
        open(Map.of(Settings.BEAT_ENABLED, "true", Settings.BEAT_SCHEDULE_FILE, "etc/none.yaml"));

        assertThat(listener.beat()).isNull();
    }

    @Test
    void relativeFileStoresLieInTheDataDirectoryOthersAreLeftAlone() {
        Path data = home.resolve("data");
        assertThat(listener.storeUrl(Settings.defaults()))
                .isEqualTo(data.resolve("celeriac-data/beat-schedule.json").toUri().toString());
        assertThat(listener.storeUrl(Settings.of(Map.of(Settings.BEAT_STORE, "file:///var/beat.json"))))
                .isEqualTo("file:///var/beat.json");
        assertThat(listener.storeUrl(Settings.of(Map.of(Settings.BEAT_STORE, "redis://localhost/0"))))
                .isEqualTo("redis://localhost/0");
        assertThat(new BeatListener(tasks, plugins, null, null).storeUrl(Settings.defaults()))
                .isEqualTo("file:celeriac-data/beat-schedule.json");
    }
}
