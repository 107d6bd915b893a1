package org.celeriac.itests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.IntPredicate;

/**
 * Free loopback ports for servers the tests start: from a range in an environment variable ({@code FROM-TO}, for
 * machines where test runs share a port plan), else where the system picks.
 */
final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /**
     * The first port of {@code width} free ones in a row, none of them {@code taken} (by a server of the test that
     * is down for now), from the range in {@code rangeVariable} if set.
     */
    static int free(String rangeVariable, int width, IntPredicate taken) throws IOException {
        String range = System.getenv(rangeVariable);
        if (range != null && range.matches("\\d+-\\d+")) {
            String[] ends = range.split("-");
            for (int p = Integer.parseInt(ends[0]); p + width - 1 <= Integer.parseInt(ends[1]); p++) {
                if (allFree(p, width, taken)) {
                    return p;
                }
            }
            throw new IllegalStateException("no " + width + " free ports in a row in " + rangeVariable + "=" + range);
        }
        for (int tries = 0; tries < 20; tries++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (port + width - 1 <= 65535 && allFree(port, width, taken)) {
                return port;
            }
        }
        throw new IllegalStateException("no " + width + " free loopback ports in a row");
    }

    private static boolean allFree(int first, int width, IntPredicate taken) {
        for (int p = first; p < first + width; p++) {
            if (taken.test(p) || !isFree(p)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
