package org.celeriac.itests.osgi;

import org.celeriac.task.Task;

/** Version 2 of the redeployed task package: the same task name, new code. */
class VersionTwoTasks {

    @Task(name = "redeploy.version")
    int version() {
        return 2;
    }
}
