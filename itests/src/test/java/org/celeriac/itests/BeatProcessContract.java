package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.itests.CeleriacProcesses.Child;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code celeriac beat} processes sharing one store, as operators run them for redundancy: each tick goes out once
 * between them, a {@code kill -9} of the one sending hands over to the other within the lease, and a beat that was
 * down catches up as {@code beat_missed_run} says. What was sent is read from the beats' logs, one line per task with
 * its tick ({@code Scheduler: Sending due task NAME (TASK) for TICK: ID}). Subclasses say which broker and store.
 */
@Timeout(300)
abstract class BeatProcessContract {
    private static final Pattern SENT = Pattern.compile("Sending due task (\\S+) \\((\\S+)\\) for (\\S+): (\\S+)");
    private static final String LEADING = "holds the lease";
    private static final String READY = "Stop with Ctrl-C";
    /** The window: sixty one-second ticks between two beats. */
    private static final Duration WINDOW = Duration.ofSeconds(60);
    /** Short, so that a takeover is quick; as a setting, so that the beats agree. */
    private static final int LEASE_SECONDS = 2;

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /** The broker, result backend and store flags every beat of a test gets; {@code store} names the store. */
    abstract List<String> connection(String store);

    private Child beat(String store, String missedRun, String scheduleYaml, String name) throws Exception {
        Path schedule = dir.resolve(name + ".yaml");
        Files.writeString(schedule, scheduleYaml, StandardCharsets.UTF_8);
        Path config = dir.resolve(name + ".properties");
        Files.writeString(config, "beat_lease_ttl=" + LEASE_SECONDS + "\nbeat_max_loop_interval=1\n");
        List<String> args = new ArrayList<>(List.of("beat", "--schedule", schedule.toString(), "--missed-run",
                missedRun, "--config", config.toString()));
        args.addAll(connection(store));
        Child beat = celeriac.start(dir, args.toArray(String[]::new));
        beat.awaitOutput(READY);
        return beat;
    }

    private static final String EVERY_SECOND = """
            every-second:
              task: demo.add
              schedule: 1
              args: [1, 2]
              options: {queue: beat.ticks, expires: 30}
            """;

    @Test
    void twoBeatsSendEachTickOnceAndAKilledLeaderHandsOverWithinTheLease() throws Exception {
        Child first = beat("one", "once", EVERY_SECOND, "first");
        awaitLog(first, LEADING);
        Child second = beat("one", "once", EVERY_SECOND, "second");

        // The window is counted by the ticks' instants: the first beat also ticks while the second one starts.
        Instant windowStart = Instant.now();
        Thread.sleep(WINDOW.toMillis());
        Instant windowEnd = Instant.now();
        List<Instant> before = ticks(first, "every-second");
        List<Instant> standby = ticks(second, "every-second");
        first.process().destroyForcibly(); // kill -9: no lease given up, maybe a tick sent and not recorded
        long killedAt = System.nanoTime();
        awaitLog(second, LEADING);
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
        Thread.sleep(5_000);
        List<Instant> after = ticks(second, "every-second");

        assertThat(standby).as("the second beat sends nothing while the first holds the lease").isEmpty();
        assertThat(before.stream().filter(t -> !t.isBefore(windowStart) && t.isBefore(windowEnd)).count())
                .as("ticks in the %s window", WINDOW).isBetween(WINDOW.toSeconds() - 2, WINDOW.toSeconds() + 1);
        assertThat(before).as("every tick once, one second apart").doesNotHaveDuplicates();
        assertSecondApart(before);
        assertThat(takeover).as("takeover after a kill -9").isLessThan(Duration.ofSeconds(LEASE_SECONDS + 5));
        assertThat(after.size()).as("the second beat keeps sending").isGreaterThanOrEqualTo(3);
        // in order and on the schedule's seconds; on the embedded default a gap may follow the takeover, while the
        // database's server moves from the killed process to a survivor (H2's AUTO_SERVER)
        assertThat(after).doesNotHaveDuplicates().isSorted().allMatch(t -> t.getNano() == after.get(0).getNano());
        List<Instant> firstLog = ticks(first, "every-second");
        List<Instant> both = new ArrayList<>(firstLog);
        both.retainAll(after);
        assertThat(both).as("ticks both sent: at most the one sent before the kill and not recorded")
                .hasSizeLessThanOrEqualTo(1);
        Instant lastOfFirst = firstLog.get(firstLog.size() - 1);
        Instant firstOfSecond = after.get(0);
        assertThat(Duration.between(lastOfFirst, firstOfSecond))
                .as("the ticks missed at the takeover: those of the lease, then one catch-up")
                .isLessThanOrEqualTo(Duration.ofSeconds(LEASE_SECONDS + 3));
    }

    @Test
    void aBeatRestartedAfterBeingDownCatchesUpAsItsMissedRunPolicySays() throws Exception {
        // Every 15 s from the moment each beat first sees the entry: down 17 s, one tick passes unsent, and the
        // next one is still 10 s or more away when the beats are back.
        String every15 = """
                every-15s:
                  task: demo.add
                  schedule: 15
                  args: [3, 4]
                  options: {queue: beat.catchup}
                """;
        Child once = beat("once", "once", every15, "once-1");
        Child skip = beat("skip", "skip", every15, "skip-1");
        awaitLog(once, LEADING);
        awaitLog(skip, LEADING);
        Thread.sleep(1_500); // both recorded the entry as first seen
        once.process().destroy();
        skip.process().destroy();
        assertThat(once.awaitExit()).isZero();
        assertThat(skip.awaitExit()).isZero();

        Thread.sleep(17_000);
        Child onceAgain = beat("once", "once", every15, "once-2");
        Child skipAgain = beat("skip", "skip", every15, "skip-2");
        awaitLog(onceAgain, "sending one");
        awaitLog(skipAgain, "skipping them");
        Thread.sleep(2_000);

        assertThat(ticks(once, "every-15s")).isEmpty();
        assertThat(ticks(onceAgain, "every-15s")).as("one run for the missed tick").hasSize(1);
        assertThat(ticks(skipAgain, "every-15s")).as("no run for the missed tick").isEmpty();
    }

    private static void assertSecondApart(List<Instant> ticks) {
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(Duration.between(ticks.get(i - 1), ticks.get(i))).as("tick %d after %s", i, ticks.get(i - 1))
                    .isEqualTo(Duration.ofSeconds(1));
        }
    }

    /** The ticks a beat logged sending for an entry, in the order sent. */
    static List<Instant> ticks(Child beat, String entry) {
        List<Instant> ticks = new ArrayList<>();
        Matcher m = SENT.matcher(beat.err());
        while (m.find()) {
            if (m.group(1).equals(entry)) {
                ticks.add(Instant.parse(m.group(3)));
            }
        }
        return ticks;
    }

    static void awaitLog(Child child, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!child.err().contains(text)) {
            if (!child.process().isAlive()) {
                throw new AssertionError(child.name() + " exited before logging '" + text + "':\n" + child.err());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(child.name() + " did not log '" + text + "' within 30 s:\n" + child.err());
            }
            Thread.sleep(50);
        }
    }
}
