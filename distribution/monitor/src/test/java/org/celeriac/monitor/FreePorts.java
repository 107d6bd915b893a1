package org.celeriac.monitor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports these tests may use: the ones of this module's tests, 57300 to 57339, that are free now. */
final class FreePorts {
    private FreePorts() {
    }

    /** A free port from {@code first} on, below 57340. */
    static int from(int first) {
        for (int port = first; port < 57_340; port++) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("no free port from " + first + " to 57339");
    }
}
