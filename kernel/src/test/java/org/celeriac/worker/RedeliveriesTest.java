package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.celeriac.spi.transport.Message;
import org.junit.jupiter.api.Test;

class RedeliveriesTest {

    /** kombu's Redis restore marks a message redelivered in its headers: the counted copy must not read so again. */
    @Test
    void countedCopyDropsTheMarksOfItsPastDelivery() {
        Message restored = new Message("[]".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", "t1", "redelivered", true),
                Map.of("delivery_info", Map.of("exchange", "", "routing_key", "celery", "redelivered", true)));

        Message copy = Redeliveries.counted(restored, 2, "w@h");

        assertThat(copy.headers()).doesNotContainKey("redelivered").containsEntry(Redeliveries.COUNT, 2)
                .containsEntry("id", "t1");
        assertThat(copy.properties()).doesNotContainKey("delivery_info");
        assertThat(Redeliveries.count(copy)).isEqualTo(2);
    }
}
