package org.celeriac.cli;

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

    /** For the exit-code section of {@code --help}. */
    static final String[] HELP = {
        OK + ":Success.",
        TASK_FAILED + ":The task failed or was revoked (the error is on standard error).",
        USAGE + ":Invalid usage: unknown option, invalid JSON, bad setting.",
        TIMEOUT + ":Timed out waiting for the result (the task may still run).",
        ERROR + ":Celeriac could not do it (broker or backend unreachable, unexpected error).",
    };

    private ExitCodes() {
    }
}
