package org.celeriac.itests;

/**
 * A server a test starts for itself (see {@link TestServers}): stopped, killed and started again on the same port
 * and data, so that what clients and workers do across its outages can be watched.
 */
interface TestServer {
    int port();

    /** Starts it (again), on the same port and data; returns once it answers. */
    void start() throws Exception;

    /** An orderly stop: what it acknowledged is kept. */
    void stop() throws Exception;

    /** Gone at once, with SIGKILL where the server can be killed so; an orderly stop elsewhere. */
    void kill() throws Exception;

    void printLog();

    /** Removes what it keeps outside the test's own directory, once it is down for good. */
    default void remove() throws Exception {
    }
}
