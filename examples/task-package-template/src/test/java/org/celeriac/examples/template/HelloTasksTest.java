package org.celeriac.examples.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tasks are plain methods: test them by calling them. */
class HelloTasksTest {

    @Test
    void helloGreetsByName() {
        assertThat(new HelloTasks().hello("Ada")).isEqualTo("Hello, Ada!");
    }
}
