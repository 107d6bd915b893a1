package org.celeriac.itest.tasks;

import org.celeriac.task.Task;

/**
 * The task package CeleriacRuntimeIT builds in memory: its class file is copied into a bundle, and the
 * framework loads it from there. Nothing on the test class path refers to it.
 */
public class ArithmeticTasks {

    @Task(name = "itest.multiply")
    public long multiply(long a, long b) {
        return a * b;
    }

    /** Something to interrupt. */
    @Task(name = "itest.sleep")
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }
}
