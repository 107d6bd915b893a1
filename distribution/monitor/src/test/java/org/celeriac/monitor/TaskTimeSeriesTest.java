package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.List;
import java.util.Map;

import org.celeriac.spi.events.Event;
import org.junit.jupiter.api.Test;

/** The charts' data, with a clock the test moves. */
@SuppressWarnings("unchecked")
class TaskTimeSeriesTest {
    private long millis = 1_000_000_000L;
    private final TaskTimeSeries series = new TaskTimeSeries(60, 2, () -> millis);

    private void event(String type, String name, Double runtime) {
        series.applied(new Event(type, runtime == null ? Map.<String, Object>of("uuid", "u")
                : Map.<String, Object>of("uuid", "u", "runtime", runtime)), name);
    }

    private Map<String, Object> of(Map<String, Object> snapshot, String name) {
        return (Map<String, Object>) ((Map<String, Object>) snapshot.get("tasks")).get(name);
    }

    @Test
    void countsEachOutcomePerSecondEndingNow() {
        event("task-succeeded", "add", 0.01);
        event("task-succeeded", "add", 0.01);
        event("task-failed", "add", null);
        millis += 1_000;
        event("task-retried", "add", null);
        event("task-received", "add", null); // not an outcome

        Map<String, Object> s = series.snapshot(20, null);
        assertThat(s).containsEntry("now", millis / 1000).containsEntry("seconds", 20).containsEntry("step", 1)
                .containsEntry("runtime_step", 10);
        int[] succeeded = (int[]) of(s, "add").get("succeeded");
        int[] failed = (int[]) of(s, "add").get("failed");
        int[] retried = (int[]) of(s, "add").get("retried");
        assertThat(succeeded).hasSize(20);
        assertThat(succeeded[18]).isEqualTo(2);
        assertThat(failed[18]).isEqualTo(1);
        assertThat(retried[19]).isEqualTo(1);
        assertThat(succeeded[19] + failed[19]).isZero();
    }

    @Test
    void runtimePercentilesComeWithinTheHistogramsPrecision() {
        for (int i = 1; i <= 100; i++) {
            event("task-succeeded", "add", i / 100.0); // 10 ms .. 1 s
        }

        Map<String, Object> t = of(series.snapshot(60, "add"), "add");
        List<Double> p50 = (List<Double>) t.get("p50");
        List<Double> p95 = (List<Double>) t.get("p95");
        assertThat(p50).hasSize(6);
        assertThat(p50.get(5)).isCloseTo(0.50, withinPercentage(7.5));
        assertThat(p95.get(5)).isCloseTo(0.95, withinPercentage(7.5));
        assertThat(p50.get(4)).as("a slot in which nothing finished").isNull();
    }

    @Test
    void secondsFromAnEarlierRoundOfTheRingReadAsNothing() {
        event("task-succeeded", "add", 0.5);
        millis += 60_000; // the same slots, a window later

        Map<String, Object> t = of(series.snapshot(60, null), "add");
        assertThat((int[]) t.get("succeeded")).containsOnly(0);
        assertThat((List<Double>) t.get("p50")).containsOnlyNulls();
    }

    @Test
    void keepsTheNamesUpdatedLastAndNoTaskWithoutAName() {
        event("task-succeeded", "a", 0.1);
        event("task-succeeded", "b", 0.1);
        event("task-succeeded", "a", 0.1);
        event("task-succeeded", "c", 0.1);
        event("task-succeeded", null, 0.1);

        assertThat((Map<String, Object>) series.snapshot(60, null).get("tasks")).containsOnlyKeys("a", "c");
    }
}
