package org.celeriac.cli;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.celeriac.spi.backend.ResultBackend;

/**
 * Asks a result backend, as a worker starts, for a result nobody stored: a backend that cannot answer is said at once
 * with its own reason (which names its server), rather than at the first task's result.
 */
final class BackendProbe {
    /**
     * How long the banner waits for the answer: a server that drops packets would hold it for its connect timeout.
     * Longer than MongoDB's 5 s server selection, so that its own reason is said rather than this wait.
     */
    static final long WAIT_SECONDS = 6;

    private BackendProbe() {
    }

    /** Why the backend does not answer, or null when it does. */
    static String silence(ResultBackend backend) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        Thread probe = new Thread(() -> {
            try {
                answer.complete(backend.get("celeriac-probe-" + UUID.randomUUID()));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }, "celeriac-backend-probe");
        probe.setDaemon(true);
        probe.start();
        try {
            answer.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause().getMessage() == null ? e.getCause().toString() : e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "no answer within " + WAIT_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
