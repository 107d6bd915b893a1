package org.celeriac.examples.template;

import org.celeriac.task.Task;

/**
 * A task class: listed in {@code Celeriac-Tasks} in {@code bnd.bnd}. The worker makes one instance with the
 * public no-argument constructor and calls its public {@code @Task} methods from several threads at once,
 * so keep fields immutable (or thread-safe).
 */
public class HelloTasks {

    /** {@code celeriac call template.hello --args '["Ada"]' --wait} prints {@code "Hello, Ada!"}. */
    @Task(name = "template.hello")
    public String hello(String name) {
        return "Hello, " + name + "!";
    }
}
