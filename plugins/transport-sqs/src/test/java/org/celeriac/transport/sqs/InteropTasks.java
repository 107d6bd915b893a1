package org.celeriac.transport.sqs;

import java.util.List;
import java.util.Map;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;

/** The Celeriac side of demo.add, as the Python peer's worker has it: positional numbers summed, kwargs ignored. */
public class InteropTasks {

    @Task(name = "demo.add")
    public long add(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return args.stream().mapToLong(a -> ((Number) a).longValue()).sum();
    }
}
