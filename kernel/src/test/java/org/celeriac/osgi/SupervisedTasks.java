package org.celeriac.osgi;

import org.celeriac.task.Task;

/** Tasks for the supervisor tests. */
public class SupervisedTasks {

    @Task(name = "supervised.twice")
    public int twice(int x) {
        return 2 * x;
    }

    @Task(name = "supervised.sleep")
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }
}
