package org.celeriac.memory;

import org.celeriac.spi.transport.TopicPattern;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void starIsExactlyOneWord() {
        TopicPattern p = TopicPattern.of("task.*");
        assertThat(p.matches("task.succeeded")).isTrue();
        assertThat(p.matches("task")).isFalse();
        assertThat(p.matches("task.multi.part")).isFalse();
        assertThat(p.matches("tasks.succeeded")).isFalse();
    }

    @Test
    void hashIsAnyNumberOfWordsNoneIncluded() {
        assertThat(TopicPattern.of("#").matches("")).isTrue();
        assertThat(TopicPattern.of("#").matches("worker.heartbeat")).isTrue();
        assertThat(TopicPattern.of("task.#").matches("task")).isTrue();
        assertThat(TopicPattern.of("task.#").matches("task.a.b")).isTrue();
        assertThat(TopicPattern.of("#.done").matches("a.b.done")).isTrue();
        assertThat(TopicPattern.of("a.#.z").matches("a.z")).isTrue();
        assertThat(TopicPattern.of("a.#.z").matches("a.b.c.z")).isTrue();
        assertThat(TopicPattern.of("a.#.z").matches("a.b.c")).isFalse();
    }

    @Test
    void plainWordsMatchThemselvesOnly() {
        assertThat(TopicPattern.of("task.sent").matches("task.sent")).isTrue();
        assertThat(TopicPattern.of("task.sent").matches("task.sent.x")).isFalse();
        assertThat(TopicPattern.of("*").matches("")).isFalse();
    }
}
