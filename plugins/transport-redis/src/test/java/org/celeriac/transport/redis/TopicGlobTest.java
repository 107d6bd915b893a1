package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.celeriac.spi.transport.TopicPattern;
import org.junit.jupiter.api.Test;

class TopicGlobTest {

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
        assertThat(TopicGlob.glob(TopicPattern.of("#"))).isEqualTo("*");
        assertThat(TopicGlob.glob(TopicPattern.of("task.*"))).isEqualTo("task.*");
        assertThat(TopicGlob.glob(TopicPattern.of("task.#"))).isEqualTo("task*");
        assertThat(TopicGlob.glob(TopicPattern.of("#.done"))).isEqualTo("*done");
        assertThat(TopicGlob.glob(TopicPattern.of("a.#.#.z"))).isEqualTo("a*z");
        assertThat(TopicGlob.glob(TopicPattern.of("worker.online"))).isEqualTo("worker.online");
    }

    @Test
    void globEscapesRedisGlobCharactersInWords() {
        assertThat(TopicGlob.glob(TopicPattern.of("a?b.[x]"))).isEqualTo("a\\?b.\\[x\\]");
    }
}
