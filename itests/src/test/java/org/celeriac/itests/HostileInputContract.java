package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.itests.HostileMessages.Expect;
import org.celeriac.itests.HostileMessages.Sample;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, hostile input: a worker takes tens of thousands of malformed and hostile messages mixed with good ones
 * ({@link HostileMessages}: broken JSON and base64, wrong types in every header, huge headers, nesting bombs,
 * unknown content types, pickle and Java serialization, invalid UTF-8, NaN and overflowing numbers, countdowns and
 * retries out of range, forged reply_to, control characters in task names), put on the broker byte for byte as a
 * hostile producer would. It stays up and answers a fresh task at the end; its heap after a GC does not grow from
 * the first half to the second; every good message succeeds with the right result; every bad one ends as a FAILURE
 * result with a reason or a dead letter with one; none is lost, none is left on the queue.
 *
 * <p>The worker runs in this JVM, through the kernel's API: a message that could take a worker down does so by an
 * exception or error on one of its threads, which the end's fresh task and full accounting would show as well as a
 * process would, and the heap can be measured here. {@code -Dceleriac.hostile.messages=N} (20,000) and
 * {@code -Dceleriac.hostile.seed=S} (17) change the run. A subclass names the broker and how raw bytes go onto it.
 */
@Timeout(240)
abstract class HostileInputContract {
    static final String QUEUE = "hostile";
    static final String DEAD_LETTERS = "celeriac.dead_letter";
    static final int MESSAGES = Integer.getInteger("celeriac.hostile.messages", 20_000);
    static final long SEED = Long.getLong("celeriac.hostile.seed", 17);
    private static final int BATCH = 250;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Heap growth allowed from after the first half to after the second, after a GC each time. */
    private static final long HEAP_GROWTH = 64L << 20;
    private static final Pattern MARKER = Pattern.compile("fz-(\\d+)");

    private final List<AutoCloseable> open = new ArrayList<>();

    /** The broker URL the worker is given. */
    abstract String broker();

    abstract String backend();

    /** Empties the queue, the dead letters and the results. */
    abstract void clear() throws Exception;

    /** Whether raw samples are list entries that are not even kombu envelopes (Redis). */
    abstract boolean redis();

    /** Puts the samples on {@link #QUEUE} byte for byte, in order. */
    abstract void publish(HostileMessages messages, List<Sample> batch) throws Exception;

    /** Messages on a queue, not counting those held by a consumer. */
    abstract long waiting(String queue) throws Exception;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    /** What must become of a message, kept while its bytes are let go. */
    private record Meta(int n, String category, Expect expect, String id, Object expected) {
    }

    /** What became of a message. */
    enum Outcome { SUCCESS, FAILURE, REVOKED, DEAD_LETTER, FAILURE_AND_DEAD_LETTER, LOST }

    @Test
    void workerSurvivesHostileMessagesAndAccountsForEveryOne() throws Exception {
        clear();
        Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker(),
                Settings.RESULT_BACKEND, backend())));
        open.add(app);
        app.tasks().register(DemoTasks.class);
        Worker worker = app.worker(app.workerOptions().withQueues(List.of(QUEUE)).withConcurrency(2)
                .withMaxMessageBytes(HostileMessages.MAX_BYTES).withShutdownTimeout(Duration.ofSeconds(1)));
        open.add(worker);
        worker.start();
        HostileMessages messages = new HostileMessages(SEED, redis(), QUEUE);

        long started = System.nanoTime();
        List<Meta> sent = new ArrayList<>(MESSAGES);
        long[] heap = new long[2];
        for (int half = 0; half < 2; half++) {
            int to = half == 0 ? MESSAGES / 2 : MESSAGES;
            for (int from = sent.size(); from < to; from += BATCH) {
                List<Sample> batch = new ArrayList<>(BATCH);
                for (int n = from; n < Math.min(to, from + BATCH); n++) {
                    Sample s = messages.sample(n);
                    batch.add(s);
                    sent.add(new Meta(n, s.category(), s.expect(), s.id(), s.expected()));
                }
                publish(messages, batch);
            }
            awaitSettled(worker, to);
            heap[half] = usedHeapAfterGc();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(app.client().send(HostileMessages.ADD, List.of(20, 22), Map.of(),
                SendOptions.defaults().queue(QUEUE)).get(Duration.ofSeconds(10))).as("a fresh task at the end")
                .isEqualTo(42);
        Map<Integer, String> dead = deadLetters(app);
        Map<String, Map<Outcome, Integer>> table = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (Meta m : sent) {
            Optional<TaskResult> result = m.id() == null ? Optional.empty() : app.backend().get(m.id());
            Outcome outcome = outcome(result, dead.containsKey(m.n()));
            table.computeIfAbsent(m.category(), k -> new EnumMap<>(Outcome.class)).merge(outcome, 1, Integer::sum);
            String why = judge(m, outcome, result.orElse(null), dead.get(m.n()));
            if (why != null && wrong.size() < 30) {
                wrong.add("#" + m.n() + " (" + m.category() + ", " + m.expect() + "): " + why + "; sent "
                        + describe(messages.sample(m.n())));
            }
        }
        report(table, seconds, heap);

        assertThat(wrong).as("messages whose outcome is wrong").isEmpty();
        assertThat(dead.keySet()).as("dead letters that are no message sent").allMatch(n -> n >= 0 && n < MESSAGES);
        assertThat(waiting(QUEUE)).as("messages left on the queue").isZero();
        assertThat(heap[1] - heap[0]).as("heap growth from the first half to the second, bytes")
                .isLessThan(HEAP_GROWTH);
    }

    private static Outcome outcome(Optional<TaskResult> result, boolean dead) {
        TaskState state = result.map(TaskResult::state).orElse(null);
        if (state == TaskState.FAILURE) {
            return dead ? Outcome.FAILURE_AND_DEAD_LETTER : Outcome.FAILURE;
        }
        if (dead) {
            return Outcome.DEAD_LETTER;
        }
        if (state == TaskState.SUCCESS) {
            return Outcome.SUCCESS;
        }
        if (state == TaskState.REVOKED) {
            return Outcome.REVOKED;
        }
        return Outcome.LOST;
    }

    /** Why an outcome is wrong for what was sent, or null. */
    private static String judge(Meta m, Outcome outcome, TaskResult result, String deadReason) {
        if (outcome == Outcome.LOST) {
            return "lost: no result, no dead letter";
        }
        if (outcome == Outcome.FAILURE || outcome == Outcome.FAILURE_AND_DEAD_LETTER) {
            ExceptionInfo e = ExceptionInfo.fromResult(result.result());
            if (e.type() == null || e.type().isBlank() || e.message() == null || e.message().isBlank()) {
                return "a failure without a readable reason: " + result.result();
            }
        }
        if (deadReason != null && deadReason.isBlank()) {
            return "a dead letter without a reason";
        }
        return switch (m.expect()) {
            case GOOD -> outcome == Outcome.SUCCESS && result.result() instanceof Number v
                    && v.longValue() == ((Number) m.expected()).longValue() ? null
                    : "expected " + m.expected() + ", got " + outcome + " " + (result == null ? "" : result.result());
            case BAD -> outcome == Outcome.SUCCESS || outcome == Outcome.REVOKED
                    ? "a bad message ended " + outcome + ": " + result.result() : null;
            case TOLERATED -> null;
        };
    }

    /** Waits until the worker has settled {@code count} messages and none waits on the queue. */
    private void awaitSettled(Worker worker, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (worker.processed() < count || waiting(QUEUE) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the worker settled " + worker.processed() + " of " + count
                        + " messages within " + WAIT.toSeconds() + " s; " + waiting(QUEUE) + " waiting");
            }
            Thread.sleep(50);
        }
    }

    /** The dead letters, taken off their queue: each one's marker, and its reason. */
    private Map<Integer, String> deadLetters(Celeriac app) throws Exception {
        Map<Integer, String> dead = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Delivery> got = app.transport().receive(List.of(DEAD_LETTERS), 500, Duration.ofMillis(500));
            if (got.isEmpty() && waiting(DEAD_LETTERS) == 0) {
                break; // none waiting, none on their way to this consumer
            }
            for (Delivery d : got) {
                int n = markerOf(d);
                String reason = d.message().headers().get("x-celeriac-dead-letter-reason") instanceof String s
                        ? s : "";
                if (dead.put(n, reason) != null) {
                    duplicates.add("#" + n);
                }
            }
            app.transport().ackAll(got);
        }
        assertThat(duplicates).as("messages dead-lettered twice").isEmpty();
        return dead;
    }

    /** The sample a dead letter came from: its x-fuzz header, else the marker in its bytes; -1 for none. */
    private static int markerOf(Delivery d) {
        if (d.message().headers().get("x-fuzz") instanceof String s) {
            Matcher m = MARKER.matcher(s);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        Matcher m = MARKER.matcher(new String(d.message().body(), StandardCharsets.ISO_8859_1));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** What a sample put on the broker, in short, for a failure message. */
    private static String describe(Sample s) {
        if (s.message() == null) {
            return "raw " + shortly(s.raw());
        }
        Map<String, Object> headers = new LinkedHashMap<>(s.message().headers());
        headers.keySet().removeAll(List.of("argsrepr", "kwargsrepr", "origin"));
        String h = headers.toString();
        return s.message().contentType() + " " + (h.length() > 300 ? h.substring(0, 300) + "..." : h) + " "
                + shortly(s.message().body());
    }

    private static String shortly(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 300); i++) {
            int c = bytes[i] & 0xff;
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b + (bytes.length > 300 ? "...(" + bytes.length + " bytes)" : "");
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The table docs/reliability.md shows: per category, what became of its messages. */
    private void report(Map<String, Map<Outcome, Integer>> table, double seconds, long[] heap) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n%s: %d messages (seed %d) in %.1f s; heap after GC %d MB, then %d MB%n",
                getClass().getSimpleName(), MESSAGES, SEED, seconds, heap[0] >> 20, heap[1] >> 20));
        out.append("| category | sent |");
        for (Outcome o : Outcome.values()) {
            out.append(' ').append(o.name().toLowerCase().replace('_', ' ')).append(" |");
        }
        out.append('\n');
        Map<String, Map<Outcome, Integer>> ordered = new LinkedHashMap<>();
        for (String c : HostileMessages.categories()) {
            if (table.containsKey(c)) {
                ordered.put(c, table.get(c));
            }
        }
        ordered.forEach((category, counts) -> {
            out.append("| ").append(category).append(" | ")
                    .append(counts.values().stream().mapToInt(Integer::intValue).sum()).append(" |");
            for (Outcome o : Outcome.values()) {
                out.append(' ').append(counts.getOrDefault(o, 0)).append(" |");
            }
            out.append('\n');
        });
        System.out.print(out);
    }
}
