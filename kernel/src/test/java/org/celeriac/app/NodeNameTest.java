package org.celeriac.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeNameTest {

    @Test
    void expandsCeleryHostNameVariables() {
        assertThat(NodeName.expand("w1@%h", "box.example.org")).isEqualTo("w1@box.example.org");
        assertThat(NodeName.expand("%n-%d@x", "box.example.org")).isEqualTo("box-example.org@x");
        assertThat(NodeName.expand("w@%n", "box")).isEqualTo("w@box");
        assertThat(NodeName.expand("100%%@%q", "box")).isEqualTo("100%@%q");
        assertThat(NodeName.expand("plain@name", "box")).isEqualTo("plain@name");
    }
}
