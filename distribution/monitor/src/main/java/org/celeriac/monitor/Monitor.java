package org.celeriac.monitor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.SQLException;

import org.celeriac.app.Celeriac;
import org.celeriac.spi.transport.Subscription;

/**
 * A running monitor: the cluster's state followed from an app's events (loaded from and saved to its database
 * when persistent) and served over HTTP. What {@code celeriac monitor} runs until Ctrl-C, and the container's
 * monitor component while it is active. The app stays its owner's: closing the monitor leaves it open.
 */
public final class Monitor implements AutoCloseable {
    private final PersistentState persistence;
    private final Subscription events;
    private final MonitorServer server;

    private Monitor(PersistentState persistence, Subscription events, MonitorServer server) {
        this.persistence = persistence;
        this.events = events;
        this.server = server;
    }

    /**
     * Loads the kept state (when persistent), follows the app's events and serves.
     *
     * @throws IllegalArgumentException when the address is beyond loopback and there is no basic auth
     * @throws java.net.BindException   when the port is in use
     * @throws IOException              when the server cannot listen otherwise, or the address is unknown
     * @throws SQLException             when the database of a persistent monitor cannot be opened or read
     */
    public static Monitor start(Celeriac app, MonitorConfig config) throws IOException, SQLException {
        InetAddress bind = InetAddress.getByName(config.address());
        ApiAuth auth = config.auth();
        if (!bind.isLoopbackAddress() && !auth.required()) {
            throw new IllegalArgumentException("the monitor would listen on " + config.address()
                    + ", beyond this machine, without a password: give basic auth (USER:PASSWORD) or an API token, "
                    + "or listen on " + MonitorConfig.DEFAULT_ADDRESS);
        }
        ClusterState state = new ClusterState(config.maxTasks());
        // Loaded before the first event, so that what happens now lands on what was known.
        PersistentState persistence = config.database() == null ? null
                : PersistentState.open(state, config.database(), PersistentState.SAVE_EVERY);
        Subscription events = null;
        try {
            events = app.events("#", state::apply);
            MonitorServer server = MonitorServer.withAuth(state, app, new InetSocketAddress(bind, config.port()),
                    auth, config.inspectTimeout());
            server.start();
            return new Monitor(persistence, events, server);
        } catch (IOException | RuntimeException e) {
            if (events != null) {
                events.close();
            }
            if (persistence != null) {
                persistence.close();
            }
            throw e;
        }
    }

    /** Where it listens: the port chosen when asked for port 0. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** Stops serving and following events, then saves the state when persistent. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                events.close();
            } finally {
                if (persistence != null) {
                    persistence.close();
                }
            }
        }
    }
}
