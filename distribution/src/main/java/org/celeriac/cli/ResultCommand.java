package org.celeriac.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac result}: a task's state and result, as the backend has them. */
@Command(name = "result", sortOptions = false,
        description = {"Print a task's state and result: 'SUCCESS 5' (the result as JSON), "
                + "'FAILURE TYPE: message', 'PENDING' (not finished, or unknown), ...",
            "Exits 1 when the task failed or was revoked."})
final class ResultCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The task id that 'celeriac call' printed.")
    String taskId;

    @Mixin
    WaitOptions waiting;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Duration timeout = waiting.timeout();
        PrintWriter out = spec.commandLine().getOut();
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            TaskResult result;
            if (waiting.await) {
                Optional<TaskResult> finished = app.backend().await(taskId, timeout);
                if (finished.isEmpty()) {
                    out.println(describe(app.client().result(taskId).result()));
                    spec.commandLine().getErr().println("Timed out after " + Seconds.format(timeout) + " s.");
                    return ExitCodes.TIMEOUT;
                }
                result = finished.get();
            } else {
                result = app.client().result(taskId).result();
            }
            out.println(describe(result));
            return result.state() == TaskState.FAILURE || result.state() == TaskState.REVOKED
                    ? ExitCodes.TASK_FAILED : ExitCodes.OK;
        }
    }

    private static String describe(TaskResult result) {
        return switch (result.state()) {
            case SUCCESS -> "SUCCESS " + new Json().print(result.result());
            case FAILURE, REVOKED, RETRY -> result.state() + " " + ExceptionInfo.fromResult(result.result());
            default -> result.state().name();
        };
    }
}
