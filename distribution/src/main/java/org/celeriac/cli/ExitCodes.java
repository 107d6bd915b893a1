package org.celeriac.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The command line's exit codes; scripts rely on them, so they are listed in {@code --help}. */
final class ExitCodes {
    static final int OK = 0;
    /** The task ended in FAILURE or was REVOKED. */
    static final int TASK_FAILED = 1;
    /** Bad usage: unknown option, invalid JSON, a setting that makes no sense. */
    static final int USAGE = 2;
    /** The task did not finish within {@code --timeout}; it may still run. */
    static final int TIMEOUT = 3;
    /** Celeriac itself failed: broker or backend unreachable, an unexpected error. */
    static final int ERROR = 4;
    /** No worker replied to a remote-control command within {@code --timeout}: Celery's {@code EX_UNAVAILABLE}. */
    static final int UNAVAILABLE = 69;

    /** The exit-code section of a command's {@code --help}: the codes it can return. */
    static Map<String, String> forHelp(String command) {
        boolean remote = Set.of("inspect", "control", "status").contains(command);
        boolean waitsForTasks = !remote && !Set.of("start", "worker", "container", "purge", "events", "beat", "list", "add",
                "remove").contains(command);
        boolean runsWorker = Set.of("celeriac", "start", "worker", "container", "beat").contains(command);
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(Integer.toString(OK), runsWorker ? "Success; for a worker or the container, stopped warm." : "Success.");
        if (waitsForTasks) {
            codes.put(Integer.toString(TASK_FAILED), "The task failed or was revoked (the error is on standard error).");
        }
        codes.put(Integer.toString(USAGE), "Invalid usage: unknown option, invalid JSON, bad setting.");
        if (waitsForTasks) {
            codes.put(Integer.toString(TIMEOUT), "Timed out waiting for the result (the task may still run).");
        }
        codes.put(Integer.toString(ERROR), "Celeriac failed (broker or backend unreachable, unexpected error).");
        if (remote) {
            codes.put(Integer.toString(UNAVAILABLE), "No node replied within --timeout.");
        }
        if (runsWorker) {
            codes.put("130, 143", "A worker or the container stopped cold by a second Ctrl-C or SIGTERM.");
        }
        return codes;
    }

    private ExitCodes() {
    }
}
