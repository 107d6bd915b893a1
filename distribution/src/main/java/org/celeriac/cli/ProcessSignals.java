package org.celeriac.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * Stop requests from the operating system. SIGTERM and Ctrl-C (SIGINT) ask for a warm shutdown, which the
 * worker command then does on its own thread, before the JVM starts exiting. Doing it in a shutdown hook
 * instead would not work: hooks run concurrently, so H2's own hook would close the embedded database under
 * the tasks still finishing, and the JVM would exit with 143, not 0. A second signal stops cold, as Celery's
 * second Ctrl-C: the worker interrupts running tasks and leaves them unacknowledged, gives back what it took
 * ahead, and the transport's close returns the late-ack ones to the broker; the process then exits with 128 +
 * the signal's number. A third signal, or a cold stop taking longer than {@link #COLD_STOP_SECONDS}, exits at
 * once. Any other JVM exit (SIGHUP, {@code System.exit}) still gets a warm shutdown, from a hook that asks for
 * it and waits.
 *
 * <p>{@code sun.misc.Signal} is in {@code jdk.unsupported}, which the JDK keeps for exactly this use; it is
 * the only way to handle SIGTERM in Java 17.
 */
final class ProcessSignals implements StopRequest {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessSignals.class);
    /** Longer than a worker's shutdown timeout (30 s), so a hook-driven warm shutdown can finish. */
    private static final long HOOK_WAIT_SECONDS = 60;
    /** How long a cold stop may take to close the broker connection before the process exits regardless. */
    static final long COLD_STOP_SECONDS = 15;

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private volatile boolean cold;
    private volatile Runnable coldStop;
    private volatile int exitCode = ExitCodes.OK;

    private ProcessSignals() {
    }

    static ProcessSignals install() {
        ProcessSignals s = new ProcessSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s::onSignal);
            } catch (IllegalArgumentException e) {
                // -Xrs, or a platform without the signal: the shutdown hook still stops the worker warm.
                LOG.warn("Cannot handle SIG{} ({}); stopping on it relies on the shutdown hook", name, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(s::onJvmExit, "celeriac-shutdown"));
        return s;
    }

    private void onSignal(Signal signal) {
        if (signals.incrementAndGet() == 1) {
            LOG.info("SIG{}: warm shutdown, finishing running tasks (signal again to {})", signal.getName(),
                    coldStop != null ? "stop cold" : "exit at once");
            requested.countDown();
        } else if (!cold && coldStop != null) {
            LOG.warn("SIG{} again: cold shutdown, interrupting running tasks; they are not acknowledged "
                    + "(signal again to exit at once)", signal.getName());
            cold = true;
            exitCode = 128 + signal.getNumber();
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(COLD_STOP_SECONDS * 1000);
                    LOG.warn("Cold shutdown still under way after {} s; exiting", COLD_STOP_SECONDS);
                    System.exit(exitCode);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "celeriac-cold-stop");
            watchdog.setDaemon(true);
            watchdog.start();
            coldStop.run();
        } else {
            LOG.warn("SIG{} again: exiting at once", signal.getName());
            cold = true;
            System.exit(128 + signal.getNumber());
        }
    }

    private void onJvmExit() {
        requested.countDown();
        if (!cold) {
            try {
                stopped.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void await() throws InterruptedException {
        requested.await();
    }

    @Override
    public void request() {
        requested.countDown();
    }

    @Override
    public void onCold(Runnable stop) {
        coldStop = stop;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }

    @Override
    public void stopped() {
        stopped.countDown();
    }
}
