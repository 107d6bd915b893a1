package org.celeriac.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract every {@link ResultBackend} keeps; a backend plugin subclasses it against a real store. */
@Timeout(60)
public abstract class ResultBackendContract {

    private final List<ResultBackend> opened = new ArrayList<>();
    protected ResultBackend backend;

    /** Opens a new client of the store under test; two clients see each other's writes. */
    protected abstract ResultBackend openBackend();

    protected final ResultBackend open() {
        ResultBackend b = openBackend();
        opened.add(b);
        return b;
    }

    @BeforeEach
    void openDefault() {
        backend = open();
    }

    @AfterEach
    void closeAll() {
        for (ResultBackend b : opened) {
            try {
                b.close();
            } catch (RuntimeException e) {
                // closing is best effort after a test
            }
        }
        opened.clear();
    }

    /** Whether the backend keeps {@link ResultBackend#increment counters}; Celery's rpc backend does not. */
    protected boolean supportsCounters() {
        return true;
    }

    /**
     * The result as a worker would store it for a task that {@link #backend} sent: a backend that replies to the
     * sender (rpc) needs the sender's reply queue.
     */
    protected final TaskResult addressed(TaskResult r) {
        if (!backend.repliesToSender()) {
            return r;
        }
        Map<String, Object> extended = new java.util.LinkedHashMap<>(r.extended());
        extended.put("reply_to", backend.replyQueue());
        extended.put("correlation_id", r.taskId());
        return new TaskResult(r.taskId(), r.state(), r.result(), r.traceback(), r.children(), r.dateDone(), extended);
    }

    /**
     * Reads back a result just stored, in the given state. Results that travel to the sender (rpc) arrive a little
     * later, so those are waited for; any other backend must have it at once.
     */
    protected final TaskResult readBack(String id, TaskState state) {
        if (!backend.repliesToSender()) {
            return backend.get(id).orElseThrow(() -> new AssertionError("no result stored for " + id));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Optional<TaskResult> r = backend.get(id);
        while ((r.isEmpty() || r.get().state() != state) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            r = backend.get(id);
        }
        return r.orElseThrow(() -> new AssertionError("no reply for " + id));
    }

    protected static String newId() {
        return UUID.randomUUID().toString();
    }

    private static TaskResult success(String id, Object value) {
        return new TaskResult(id, TaskState.SUCCESS, value, null, List.of(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), Map.of());
    }

    @Test
    void storesAndReadsBackEveryField() {
        String id = newId();
        Object value = Map.of("list", Arrays.asList(1, 2.5, "\u00fc", null, true), "n", 12345678901L);
        Instant done = Instant.parse("2026-11-25T11:41:32.668Z");
        TaskResult stored = new TaskResult(id, TaskState.SUCCESS, value, null,
                List.of(Arrays.asList(Arrays.asList("child-id", null), null)), done, Map.of("name", "demo.echo", "retries", 1));

        backend.store(addressed(stored), Duration.ofHours(1));
        TaskResult read = readBack(id, TaskState.SUCCESS);

        assertThat(read.taskId()).isEqualTo(id);
        assertThat(read.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(read.result()).isEqualTo(Map.of("list", Arrays.asList(1, 2.5, "\u00fc", null, true), "n", 12345678901L));
        assertThat(read.children()).isEqualTo(stored.children());
        assertThat(read.dateDone()).isEqualTo(done);
        assertThat(read.extended()).containsEntry("name", "demo.echo").containsEntry("retries", 1);
    }

    @Test
    void storeAllStoresEveryResult() {
        List<TaskResult> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(new TaskResult(newId(), TaskState.SUCCESS, i, null, List.of(), Instant.now(), Map.of()));
        }

        backend.storeAll(results.stream().map(this::addressed).toList(), Duration.ofHours(1));

        for (int i = 0; i < 20; i++) {
            assertThat(readBack(results.get(i).taskId(), TaskState.SUCCESS).result()).isEqualTo(i);
        }
    }

    @Test
    void storesFailureWithExceptionAndTraceback() {
        String id = newId();
        Map<String, Object> exc = Map.of("exc_type", "ValueError", "exc_message", List.of("boom"), "exc_module", "builtins");
        backend.store(addressed(new TaskResult(id, TaskState.FAILURE, exc, "Traceback...\nValueError: boom\n", List.of(),
                Instant.now(), Map.of())), null);

        TaskResult read = readBack(id, TaskState.FAILURE);

        assertThat(read.state()).isEqualTo(TaskState.FAILURE);
        assertThat(read.result()).isEqualTo(exc);
        assertThat(read.traceback()).isEqualTo("Traceback...\nValueError: boom\n");
    }

    @Test
    void unknownTaskHasNoResult() {
        assertThat(backend.get(newId())).isEmpty();
    }

    @Test
    void laterStateReplacesEarlier() {
        String id = newId();
        backend.store(addressed(new TaskResult(id, TaskState.STARTED, null, null, List.of(), null, Map.of())), null);
        backend.store(addressed(success(id, 5)), null);

        assertThat(readBack(id, TaskState.SUCCESS).result()).isEqualTo(5);
        assertThat(backend.get(id).orElseThrow().state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void awaitReturnsResultStoredByAnotherClient() throws Exception {
        String id = newId();
        ResultBackend writer = open();
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(300);
                writer.store(addressed(new TaskResult(id, TaskState.STARTED, null, null, List.of(), null, Map.of())), null);
                Thread.sleep(100);
                writer.store(addressed(success(id, "done")), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        later.start();

        Optional<TaskResult> got = backend.await(id, Duration.ofSeconds(10));
        later.join();

        assertThat(got).map(TaskResult::result).contains("done");
    }

    @Test
    void awaitGivesUpAfterTimeout() throws Exception {
        String id = newId();
        backend.store(addressed(new TaskResult(id, TaskState.STARTED, null, null, List.of(), null, Map.of())), null);

        assertThat(backend.await(id, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void forgetRemovesResult() {
        String id = newId();
        backend.store(addressed(success(id, 1)), null);
        readBack(id, TaskState.SUCCESS);
        backend.forget(id);

        assertThat(backend.get(id)).isEmpty();
    }

    @Test
    void resultExpiresAfterTtl() throws Exception {
        String id = newId();
        backend.store(addressed(success(id, 1)), Duration.ofSeconds(1));
        readBack(id, TaskState.SUCCESS);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (backend.get(id).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }

        assertThat(backend.get(id)).isEmpty();
    }

    @Test
    void incrementIsAtomicAcrossClients() throws Exception {
        assumeTrue(supportsCounters(), "this backend keeps no counters");
        String key = "tck-counter-" + newId();
        List<ResultBackend> clients = List.of(backend, open());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        Set<Long> values = ConcurrentHashMap.newKeySet();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ResultBackend client = clients.get(t % 2);
            work.add(threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    values.add(client.increment(key, 1, Duration.ofHours(1)));
                }
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        threads.shutdown();

        assertThat(values).hasSize(200);
        assertThat(new HashSet<>(values)).contains(1L, 200L);
        assertThat(backend.increment(key, 0, Duration.ofHours(1))).isEqualTo(200);
    }

    /** Whether the backend {@linkplain ResultBackend#saveGroup saves groups}; Celery's rpc backend does not. */
    protected boolean supportsGroups() {
        return true;
    }

    private ChordJoin join() {
        Optional<ChordJoin> join = backend.chordJoin();
        assumeTrue(join.isPresent(), "this backend joins no chords");
        return join.get();
    }

    private static TaskResult failure(String id, String type, String message) {
        return new TaskResult(id, TaskState.FAILURE,
                Map.of("exc_type", type, "exc_message", List.of(message), "exc_module", "builtins"), "Traceback\n",
                List.of(), Instant.now().truncatedTo(ChronoUnit.MILLIS), Map.of());
    }

    @Test
    void chordJoinHandsEveryOutcomeInHeaderOrderToTheLastMember() {
        ChordJoin join = join();
        String group = newId();
        join.begin(group, 3, Duration.ofHours(1));
        List<String> ids = List.of(newId(), newId(), newId());

        assertThat(join.memberDone(group, 2, success(ids.get(2), 30), Duration.ofHours(1))).isEmpty();
        assertThat(join.memberDone(group, 0, failure(ids.get(0), "ValueError", "bad"), Duration.ofHours(1))).isEmpty();
        List<TaskResult> all = join.memberDone(group, 1, success(ids.get(1), List.of(1, "a")), Duration.ofHours(1))
                .orElseThrow(() -> new AssertionError("the last member did not get the outcomes"));

        assertThat(all).extracting(TaskResult::taskId).containsExactlyElementsOf(ids);
        assertThat(all).extracting(TaskResult::state)
                .containsExactly(TaskState.FAILURE, TaskState.SUCCESS, TaskState.SUCCESS);
        assertThat(all.get(0).result()).isEqualTo(
                Map.of("exc_type", "ValueError", "exc_message", List.of("bad"), "exc_module", "builtins"));
        assertThat(all.get(1).result()).isEqualTo(List.of(1, "a"));
        assertThat(all.get(2).result()).isEqualTo(30);
    }

    @Test
    void chordMemberReportingAgainIsCountedOnce() {
        ChordJoin join = join();
        String group = newId();
        join.begin(group, 2, Duration.ofHours(1));
        String first = newId();

        assertThat(join.memberDone(group, 0, success(first, 1), Duration.ofHours(1))).isEmpty();
        assertThat(join.memberDone(group, 0, success(first, 2), Duration.ofHours(1))).isEmpty();
        List<TaskResult> all = join.memberDone(group, 1, success(newId(), 3), Duration.ofHours(1)).orElseThrow();

        assertThat(all).extracting(TaskResult::result).containsExactly(2, 3);
        // The last member redelivered before the join ended gets them again (its first run may not have sent the body).
        assertThat(join.memberDone(group, 1, success(all.get(1).taskId(), 3), Duration.ofHours(1))).isPresent();
    }

    @Test
    void chordJoinEndsOnceAndFiresNoMore() {
        ChordJoin join = join();
        String group = newId();
        join.begin(group, 1, Duration.ofHours(1));

        assertThat(join.end(group)).isTrue();
        assertThat(join.end(group)).isFalse();
        assertThat(join.memberDone(group, 0, success(newId(), 1), Duration.ofHours(1))).isEmpty();
    }

    @Test
    void chordJoinFiresExactlyOnceAmongConcurrentMembersOfSeveralClients() throws Exception {
        ChordJoin first = join();
        ChordJoin second = open().chordJoin().orElseThrow();
        String group = newId();
        int size = 200;
        first.begin(group, size, Duration.ofHours(1));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicInteger fired = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int index = i;
            ChordJoin client = i % 2 == 0 ? first : second;
            work.add(threads.submit(() -> client.memberDone(group, index, success(newId(), index), Duration.ofHours(1))
                    .ifPresent(all -> {
                        assertThat(all).extracting(TaskResult::result)
                                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, size).boxed().toList());
                        fired.incrementAndGet();
                    })));
        }
        for (Future<?> f : work) {
            f.get();
        }
        threads.shutdown();

        assertThat(fired).hasValue(1);
    }

    @Test
    void savedGroupIsRestoredUntilForgotten() {
        assumeTrue(supportsGroups(), "this backend keeps no groups");
        String group = newId();
        List<Object> members = List.of(Arrays.asList(Arrays.asList(newId(), null), null),
                Arrays.asList(Arrays.asList(newId(), null), null));

        backend.saveGroup(group, members, Duration.ofHours(1));

        assertThat(open().restoreGroup(group)).contains(members);
        backend.forgetGroup(group);
        assertThat(backend.restoreGroup(group)).isEmpty();
        assertThat(backend.restoreGroup(newId())).isEmpty();
    }
}
