package org.celeriac.osgi;

import org.celeriac.task.Task;

/** A task for the supervisor tests. */
public class SupervisedTasks {

    @Task(name = "supervised.twice")
    public int twice(int x) {
        return 2 * x;
    }
}
