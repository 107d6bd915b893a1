package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Words on the command line become Celery's command arguments, typed as Celery's Panel.meta types them. */
class CommandArgumentsTest {

    private static Map<String, Object> control(String command, String... words) {
        return CommandArguments.CONTROL.get(command).compile(command, List.of(words));
    }

    @Test
    void namedArgumentsTakeTheirTypes() {
        assertThat(control("rate_limit", "demo.add", "10/s"))
                .isEqualTo(Map.of("task_name", "demo.add", "rate_limit", "10/s"));
        assertThat(control("pool_grow", "2")).isEqualTo(Map.of("n", 2));
        assertThat(control("time_limit", "demo.add", "1.5")).isEqualTo(Map.of("task_name", "demo.add", "soft", 1.5));
        assertThat(control("pool_shrink")).isEmpty();
    }

    @Test
    void variadicCommandsTakeTheRestAsAList() {
        assertThat(control("revoke", "a", "b")).isEqualTo(Map.of("task_id", List.of("a", "b")));
        assertThat(control("terminate", "KILL", "a")).isEqualTo(Map.of("signal", "KILL", "task_id", List.of("a")));
        assertThat(control("revoke_by_stamped_headers", "tenant=acme", "run=7"))
                .isEqualTo(Map.of("headers", Map.of("tenant", "acme", "run", "7")));
    }

    @Test
    void badWordsAreUsageErrors() {
        assertThatThrownBy(() -> control("pool_grow", "two")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a number");
        assertThatThrownBy(() -> control("cancel_consumer", "a", "b")).hasMessageContaining("takes arguments: QUEUE");
        assertThatThrownBy(() -> control("revoke_by_stamped_headers", "tenant"))
                .hasMessageContaining("NAME=VALUE");
    }
}
