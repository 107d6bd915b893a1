package org.celeriac.container;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for something the container does on its own time (FileInstall polls its directories). */
final class Eventually {
    /** FileInstall polls every 100 ms in these tests; generous for a slow machine. */
    static final Duration WAIT = Duration.ofSeconds(20);

    private Eventually() {
    }

    /** The first value of {@code probe} that passes {@code until}; fails with {@code what} after {@link #WAIT}. */
    static <T> T await(String what, Callable<T> probe, Predicate<T> until) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = probe.call();
        while (!until.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what + "; last seen: " + last);
            }
            Thread.sleep(50);
            last = probe.call();
        }
        return last;
    }
}
