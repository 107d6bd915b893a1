package org.celeriac.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.celeriac.json.JsonSerializer;
import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventFields;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private final JsonSerializer json = new JsonSerializer();

    @Test
    void writesEveryKindOfValueAnEventCarriesAsTheMapperReadsItBack() {
        EventFields fields = EventFields.of("hostname", "w1@host", "utcoffset", -1, "pid", 4242L, "clock", 7L,
                "timestamp", 1796620000.123456, "runtime", 0.000012, "eta", null, "requeue", false,
                "loadavg", List.of(0.5, 1.25, 2.0), "sw_ident", Map.of("name", "celeriac"),
                "big", new BigInteger("123456789012345678901234567890"), "dec", new BigDecimal("1.5"),
                "text", "quote \" and é and \n");

        Object back = json.decode(EventJson.write(new Event("worker-heartbeat", fields)));

        assertThat(back).isEqualTo(json.decode(json.encode(fields)));
        assertThat(List.copyOf(((Map<?, ?>) back).keySet())).isEqualTo(List.copyOf(fields.keySet()));
    }

    @Test
    void writesSeveralEventsAsAListOfTheirFields() {
        Event a = new Event("task-received", EventFields.of("uuid", "a", "retries", 0));
        Event b = new Event("task-started", EventFields.of("uuid", "a", "timestamp", 1.5));

        assertThat(json.decode(EventJson.writeAll(List.of(a, b))))
                .isEqualTo(List.of(Map.of("uuid", "a", "retries", 0), Map.of("uuid", "a", "timestamp", 1.5)));
        assertThat(json.decode(EventJson.writeAll(List.of()))).isEqualTo(List.of());
    }

    @Test
    void writesDoublesThatReadBackExactly() {
        for (double d : new double[] {0.1, 1e-7, 1796620000.123456, 123456789.0, Double.MIN_VALUE, 1e300}) {
            Object back = json.decode(EventJson.write(new Event("x", EventFields.of("d", d))));
            assertThat(((Map<?, ?>) back).get("d")).as(Arrays.toString(new double[] {d})).isEqualTo(d);
        }
    }

    @Test
    void writesTimestampsAsTheirShortestDecimalThatReadsBackExactly() {
        for (int i = 0; i < 10_000; i++) {
            double t = EventDispatcher.now() + i * 0.000_017;
            double micro = Math.round(t * 1e6) / 1e6;
            Object back = json.decode(EventJson.write(new Event("x", EventFields.of("timestamp", micro))));
            assertThat(((Map<?, ?>) back).get("timestamp")).as(Double.toString(micro)).isEqualTo(micro);
        }
        assertThat(EventJson.timestampText(1796620000L, 120_000)).isEqualTo("1796620000.12");
        assertThat(EventJson.timestampText(1796620000L, 0)).isEqualTo("1796620000.0");
        assertThat(EventJson.timestampText(1796620000L, 5)).isEqualTo("1796620000.000005");
        assertThat(new String(EventJson.write(new Event("x", EventFields.of("timestamp", 1796620000.5)))))
                .contains("1796620000.5").doesNotContain("E9");
    }
}
