package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Replies printed as Celery's command line prints them. */
class RepliesTest {

    private static String print(Map<String, Object> replies, boolean json) {
        StringWriter s = new StringWriter();
        try (PrintWriter out = new PrintWriter(s)) {
            Replies.print(replies, json, true, out);
        }
        return s.toString();
    }

    @Test
    void okRepliesAreIndentedUnderTheirNode() {
        Map<String, Object> replies = new LinkedHashMap<>();
        replies.put("w1@host", Map.of("ok", "pong"));
        replies.put("w2@host", Map.of("error", "unknown task"));

        assertThat(print(replies, false)).isEqualTo("->  w1@host: OK\n        pong\n->  w2@host: ERROR\n"
                + "        unknown task\n");
    }

    @Test
    void listsAreStarredAndEmptyOnesSaySo() {
        assertThat(print(Map.of("w1@host", List.of("demo.add", "demo.mul")), false))
                .isEqualTo("->  w1@host: OK\n    * demo.add\n    * demo.mul\n");
        assertThat(print(Map.of("w1@host", List.of()), false)).isEqualTo("->  w1@host: OK\n    - empty -\n");
    }

    @Test
    void jsonIsOneObjectByNode() {
        assertThat(print(Map.of("w1@host", Map.of("ok", "pong")), true)).isEqualTo("{\"w1@host\":{\"ok\":\"pong\"}}\n");
    }
}
