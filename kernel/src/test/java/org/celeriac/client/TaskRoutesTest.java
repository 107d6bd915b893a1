package org.celeriac.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class TaskRoutesTest {

    @Test
    void exactNamesWinThenGlobsInTheOrderGiven() {
        TaskRoutes routes = TaskRoutes.parse("feed.*:feeds, feed.tasks.import:imports, *.urgent:fast,web.?:web");

        assertThat(routes.queueFor("feed.tasks.import")).contains("imports");
        assertThat(routes.queueFor("feed.tasks.urgent")).as("the first glob that matches").contains("feeds");
        assertThat(routes.queueFor("mail.urgent")).contains("fast");
        assertThat(routes.queueFor("web.a")).contains("web");
        assertThat(routes.queueFor("web.ab")).isEmpty();
        assertThat(routes.queueFor("feedback")).isEmpty();
    }

    @Test
    void noRoutesRouteNothing() {
        assertThat(TaskRoutes.parse(null).queueFor("a")).isEqualTo(Optional.empty());
        assertThat(TaskRoutes.parse(" ").queueFor("a")).isEmpty();
    }

    @Test
    void refusesPairsWithoutPatternOrQueue() {
        assertThatThrownBy(() -> TaskRoutes.parse("feed.*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PATTERN:QUEUE");
        assertThatThrownBy(() -> TaskRoutes.parse("feed.*:")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskRoutes.parse(":q")).isInstanceOf(IllegalArgumentException.class);
    }
}
