package org.celeriac.monitor;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flower's {@code --persistent}: a {@link ClusterState} loaded from its {@link MonitorStore} at the start, saved
 * every so often (so that a crash loses little) and at {@link #close()}.
 */
final class PersistentState implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentState.class);
    /** How often the state is saved while the monitor runs. */
    static final Duration SAVE_EVERY = Duration.ofSeconds(60);

    private final ClusterState state;
    private final MonitorStore store;
    private final Path file;
    private final ScheduledExecutorService saver;

    private PersistentState(ClusterState state, MonitorStore store, Path file, Duration every) {
        this.state = state;
        this.store = store;
        this.file = file;
        this.saver = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "celeriac-monitor-save");
            t.setDaemon(true);
            return t;
        });
        saver.scheduleWithFixedDelay(this::saveQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Loads what the database at {@code file} kept into {@code state}, then saves it every {@code every}.
     *
     * @throws SQLException when the database cannot be opened or read
     */
    static PersistentState open(ClusterState state, Path file, Duration every) throws SQLException {
        MonitorStore store = MonitorStore.open(file);
        try {
            StateSnapshot kept = store.load();
            state.restore(kept);
            LOG.info("Monitor state loaded from {}: {} tasks, {} workers", file, kept.tasks().size(),
                    kept.workers().size());
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e;
        }
        return new PersistentState(state, store, file, every);
    }

    /** Saves now. */
    void save() throws SQLException {
        store.save(state.snapshot());
    }

    private void saveQuietly() {
        try {
            save();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Cannot save the monitor's state to {}: {}", file, e.toString());
        }
    }

    /** Saves a last time and closes the database. */
    @Override
    public void close() {
        saver.shutdown(); // not interrupted: H2 closes its file when a thread writing it is
        try {
            if (!saver.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The monitor's periodic save of {} is still running", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        saveQuietly();
        store.close();
    }
}
