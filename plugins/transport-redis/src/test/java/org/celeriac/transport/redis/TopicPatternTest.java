package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicPatternTest {

    @Test
    void matchesAsAmqpTopicBindingsDo() {
        assertThat(TopicPattern.of("task.*").matches("task.succeeded")).isTrue();
        assertThat(TopicPattern.of("task.*").matches("task.multi.part")).isFalse();
        assertThat(TopicPattern.of("task.#").matches("task")).isTrue();
        assertThat(TopicPattern.of("a.#.z").matches("a.b.c.z")).isTrue();
        assertThat(TopicPattern.of("#").matches("")).isTrue();
        assertThat(TopicPattern.of("*").matches("")).isFalse();
    }

    @Test
    void globIsKombusTranslationWithTheDotsAroundHashDropped() {
        assertThat(TopicPattern.of("#").glob()).isEqualTo("*");
        assertThat(TopicPattern.of("task.*").glob()).isEqualTo("task.*");
        assertThat(TopicPattern.of("task.#").glob()).isEqualTo("task*");
        assertThat(TopicPattern.of("#.done").glob()).isEqualTo("*done");
        assertThat(TopicPattern.of("a.#.#.z").glob()).isEqualTo("a*z");
        assertThat(TopicPattern.of("worker.online").glob()).isEqualTo("worker.online");
    }

    @Test
    void globEscapesRedisGlobCharactersInWords() {
        assertThat(TopicPattern.of("a?b.[x]").glob()).isEqualTo("a\\?b.\\[x\\]");
    }
}
