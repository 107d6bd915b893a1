package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.celeriac.registry.TaskRegistry;
import org.celeriac.task.Periodic;
import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;

class PackageEntriesTest {

    static final class Reports {
        @Task(name = "reports.daily")
        @Periodic(crontab = "0 7 * * mon-fri", timezone = "Europe/Berlin", args = "[\"pdf\"]", queue = "reports")
        @Periodic(every = 0.5, kwargs = "{\"quick\": true}", expires = 10)
        static void daily() {
        }

        @Task(name = "reports.both")
        @Periodic(every = 5, crontab = "* * * * *")
        static void both() {
        }

        @Task(name = "reports.plain")
        static void plain() {
        }
    }

    @Test
    void periodicTaskMethodsBecomeEntriesNamedForTheirTask() {
        TaskRegistry tasks = new TaskRegistry();
        tasks.register(Reports.class);

        Map<String, BeatEntry> entries = new java.util.TreeMap<>();
        new PackageEntries(tasks, ZoneOffset.UTC).get().forEach(e -> entries.put(e.name(), e));

        assertThat(entries).containsOnlyKeys("reports.daily", "reports.daily#2");
        BeatEntry cron = entries.get("reports.daily");
        assertThat(cron.task()).isEqualTo("reports.daily");
        assertThat(cron.args()).isEqualTo(List.of("pdf"));
        assertThat(cron.options()).isEqualTo(Map.of("queue", "reports"));
        assertThat(cron.schedule()).isEqualTo(CrontabSchedule.parse("0 7 * * mon-fri",
                java.time.ZoneId.of("Europe/Berlin")));
        BeatEntry fast = entries.get("reports.daily#2");
        assertThat(fast.schedule()).isEqualTo(IntervalSchedule.everySeconds(0.5));
        assertThat(fast.kwargs()).isEqualTo(Map.of("quick", true));
        assertThat(fast.options()).isEqualTo(Map.of("expires", 10.0));
    }

    @Test
    void entriesGoWhenTheirPackageGoes() {
        TaskRegistry tasks = new TaskRegistry();
        tasks.register(Reports.class);
        PackageEntries entries = new PackageEntries(tasks, ZoneOffset.UTC);
        assertThat(entries.get()).hasSize(2);

        tasks.unregister(Reports.class.getClassLoader());

        assertThat(entries.get()).isEmpty();
    }
}
