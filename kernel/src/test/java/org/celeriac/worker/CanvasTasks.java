package org.celeriac.worker;

import java.util.List;

import org.celeriac.task.Args;
import org.celeriac.task.Task;

/** Tasks the canvas test composes. */
public class CanvasTasks {

    @Task(name = "c.add")
    public long add(long x, long y) {
        return x + y;
    }

    /** Returns its first argument: a chord body that shows what it was given. */
    @Task(name = "c.first")
    public Object first(@Args List<Object> args) {
        return args.get(0);
    }

    @Task(name = "c.fail")
    public Object fail(Object why) {
        throw new IllegalStateException("failed on purpose: " + why);
    }
}
