package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ControlCommandTest {

    private static ControlCommand to(List<String> destination, String pattern, String matcher) {
        return new ControlCommand("ping", Map.of(), destination, pattern, matcher, null, null, null);
    }

    @Test
    void commandWithoutDestinationOrPatternIsForEveryNode() {
        assertThat(to(List.of(), null, null).isFor("w1@host")).isTrue();
    }

    @Test
    void destinationNamesTheNodesExactly() {
        ControlCommand c = to(List.of("w1@host", "w2@host"), null, null);

        assertThat(c.isFor("w2@host")).isTrue();
        assertThat(c.isFor("w3@host")).isFalse();
        assertThat(c.isFor("w1@hos")).isFalse();
    }

    @Test
    void globPatternMatchesAsPythonsFnmatch() {
        assertThat(to(List.of(), "w*@host", "glob").isFor("w12@host")).isTrue();
        assertThat(to(List.of(), "w?@host", "glob").isFor("w12@host")).isFalse();
        assertThat(to(List.of(), "w[12]@host", "glob").isFor("w2@host")).isTrue();
        assertThat(to(List.of(), "w[!12]@host", "glob").isFor("w2@host")).isFalse();
        assertThat(to(List.of(), "w.@host", "glob").isFor("wx@host")).isFalse();
    }

    @Test
    void pcrePatternIsAnchoredAtTheStartOnly() {
        assertThat(to(List.of(), "w\\d+", "pcre").isFor("w12@host")).isTrue();
        assertThat(to(List.of(), "\\d+", "pcre").isFor("w12@host")).isFalse();
    }

    @Test
    void unknownMatcherIsRefused() {
        assertThatThrownBy(() -> to(List.of(), "w*", "regex").isFor("w1@host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown matcher");
    }
}
