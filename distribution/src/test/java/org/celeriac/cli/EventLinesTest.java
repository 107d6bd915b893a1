package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.celeriac.spi.events.Event;
import org.junit.jupiter.api.Test;

/** Event lines, against the fields of events a Celery 5.2.6 worker sent (celery-wire/redis-events.json). */
class EventLinesTest {

    private static Event event(String type, Object... pairs) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("hostname", "pyw@capture");
        f.put("utcoffset", 0);
        f.put("pid", 8701);
        f.put("clock", 6);
        for (int i = 0; i < pairs.length; i += 2) {
            f.put((String) pairs[i], pairs[i + 1]);
        }
        f.put("timestamp", 1795606892.657902);
        f.put("type", type);
        return new Event(type, f);
    }

    @Test
    void dumpsTaskEventsAsCeleryDoesNamingTheTaskFromItsReceivedEvent() {
        EventLines lines = new EventLines();

        String received = lines.dump(event("task-received", "uuid", "ea77", "name", "demo.add", "args", "[2, 3]",
                "kwargs", "{}", "root_id", "ea77", "parent_id", null, "retries", 0, "eta", null, "expires", null));
        String succeeded = lines.dump(event("task-succeeded", "uuid", "ea77", "result", "5", "runtime", 0.001));

        assertThat(received).isEqualTo("pyw@capture [2026-11-25 11:41:32.657902] task received: demo.add(ea77) "
                + "args=[2, 3] kwargs={} clock=6, eta=None, expires=None, parent_id=None, pid=8701, retries=0, "
                + "root_id=ea77, utcoffset=0");
        assertThat(succeeded).isEqualTo("pyw@capture [2026-11-25 11:41:32.657902] task succeeded: demo.add(ea77) "
                + "args=[2, 3] kwargs={} clock=6, pid=8701, result=5, runtime=0.001, utcoffset=0");
    }

    @Test
    void dumpsWorkerEventsWithTheirFields() {
        String line = new EventLines().dump(event("worker-heartbeat", "freq", 2.0, "active", 0));

        assertThat(line).isEqualTo("pyw@capture [2026-11-25 11:41:32.657902] heartbeat: active=0, clock=6, "
                + "freq=2.0, pid=8701, utcoffset=0");
    }

    @Test
    void defaultLineIsShortAndNamesTheTask() {
        EventLines lines = new EventLines();
        lines.line(event("task-received", "uuid", "ea77", "name", "demo.add", "args", "[2, 3]"));

        String line = lines.line(event("task-succeeded", "uuid", "ea77", "result", "5", "runtime", 0.001));

        assertThat(line).endsWith(" pyw@capture task-succeeded demo.add[ea77] result=5 runtime=0.001");
    }
}
