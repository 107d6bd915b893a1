package org.celeriac.itests.osgi;

import org.celeriac.task.Task;

/**
 * Version 1 of the redeployed task package: slow enough that the worker falls behind the sender, so that calls are
 * running on it, with more waiting, when version 2 arrives.
 */
class VersionOneTasks {
    /**
     * With 50 ms, 8 pool threads drained the queue as fast as the test could fill it (about 13 ms a send on the
     * embedded database, two cores): no call was running when version 2 arrived.
     */
    static final long WORK_MILLIS = 250;

    @Task(name = "redeploy.version")
    int version() throws InterruptedException {
        Thread.sleep(WORK_MILLIS);
        return 1;
    }
}
