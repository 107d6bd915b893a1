package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.RedisApps.await;
import static org.celeriac.itests.RedisApps.failure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.itests.OptionTasks.Attempt;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * Task and worker options on a real Redis, in process: retries (explicit, {@code max_retries},
 * {@code default_retry_delay}, {@code autoretry_for}, backoff with its maximum, jitter, the retry count carried by
 * the message), a task's own soft and hard time limits, a rate limit changed at run time, expiry and priority from
 * a Celeriac client, revokes by stamped header, tasks a warm shutdown gives back (not counted toward
 * {@code worker_max_deliveries}), and what {@code reject_on_worker_lost} makes of a late-ack task cut short at
 * shutdown. What the client sees (states, exception types, retry counts) and what Redis holds; times are bounded
 * below, and above only where the option is a maximum, then generously.
 */
@Timeout(120)
class RedisWorkerOptionsTest {
    private static final Duration WAIT = RedisApps.WAIT;
    /** Clock granularity between a task's own clock and the worker's timer, in milliseconds. */
    private static final Duration CLOCK = Duration.ofMillis(10);
    /** Room above a countdown, for storing RETRY, publishing and receiving the next attempt on a busy machine. */
    private static final Duration LATENCY = Duration.ofMillis(1500);

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    final RedisApps apps = new RedisApps(REDIS, OptionTasks.class);

    @AfterEach
    void releaseHeldTasks() {
        OptionTasks.releaseAll();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    /** From each failed attempt to the start of the next: the countdown it waited, and what it took to get there. */
    private static List<Duration> gaps(List<Attempt> attempts) {
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            gaps.add(Duration.between(attempts.get(i - 1).raised(), attempts.get(i).started()));
        }
        return gaps;
    }

    // --- retries

    @Test
    void explicitRetriesCarryTheirCountToTheNextAttemptUntilTheTaskSucceeds() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults());
        String key = key();

        Object retries = app.client().send("o.retry", List.of(key, 3), Map.of()).get(WAIT);

        assertThat(retries).isEqualTo(3);
        assertThat(OptionTasks.attempts(key)).extracting(Attempt::retries).containsExactly(0, 1, 2, 3);
        assertThat(gaps(OptionTasks.attempts(key)))
                .allSatisfy(g -> assertThat(g.plus(CLOCK)).isGreaterThanOrEqualTo(Duration.ofMillis(100)));
    }

    @Test
    void explicitRetryWithoutCauseFailsWithMaxRetriesExceededOnceItsRetriesAreUsedUp() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults());
        String key = key();

        TaskFailedException e = failure(app.client().send("o.max_retries", List.of(key), Map.of()));

        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("MaxRetriesExceededError");
        assertThat(e.exception().module()).isEqualTo("celery.exceptions");
        // the first attempt and max_retries = 2
        assertThat(OptionTasks.attempts(key)).extracting(Attempt::retries).containsExactly(0, 1, 2);
    }

    /**
     * A retry without countdown waits the task's {@code default_retry_delay}: meanwhile the client sees RETRY, and
     * the next attempt is a message on Redis, held by the worker until its ETA, with its retry count in the
     * {@code retries} header, as Celery's.
     */
    @Test
    void retryWithoutCountdownWaitsTheDefaultDelayAsAMessageCountingTheRetry() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults());
        String key = key();

        AsyncResult r = app.client().send("o.default_delay", List.of(key), Map.of());

        await("RETRY stored", () -> r.state() == TaskState.RETRY);
        Pattern retriesHeader = Pattern.compile("\"retries\":\\s*1\\b");
        Pattern etaHeader = Pattern.compile("\"eta\":\\s*\"\\d{4}-");
        try (Jedis j = apps.broker()) {
            await("the next attempt held until its ETA", () -> j.hvals("unacked").stream()
                    .anyMatch(m -> m.contains(r.id()) && retriesHeader.matcher(m).find()
                            && etaHeader.matcher(m).find()));
        }
        assertThat(r.get(WAIT)).isEqualTo(1);
        List<Attempt> attempts = OptionTasks.attempts(key);
        assertThat(attempts).extracting(Attempt::retries).containsExactly(0, 1);
        assertThat(gaps(attempts).get(0).plus(CLOCK)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void autoretryForRetriesListedExceptionsUpToMaxRetriesAndNoOthers() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults());
        String succeeds = key();
        String givesUp = key();
        String other = key();

        AsyncResult third = app.client().send("o.autoretry", List.of(succeeds, 3), Map.of());
        AsyncResult never = app.client().send("o.autoretry", List.of(givesUp, 100), Map.of());
        AsyncResult notListed = app.client().send("o.autoretry_other", List.of(other), Map.of());

        assertThat(third.get(WAIT)).isEqualTo(2);
        assertThat(OptionTasks.attempts(succeeds)).hasSize(3);
        TaskFailedException gaveUp = failure(never);
        assertThat(gaveUp.exception()).as("the task's own exception, once max_retries = 3 are used up")
                .isEqualTo(new ExceptionInfo("IllegalStateException", "java.lang", "attempt 4"));
        assertThat(OptionTasks.attempts(givesUp)).extracting(Attempt::retries).containsExactly(0, 1, 2, 3);
        assertThat(failure(notListed).exception().type()).isEqualTo("IllegalArgumentException");
        assertThat(OptionTasks.attempts(other)).hasSize(1);
    }

    /**
     * A backoff of 1 s doubles at each retry (1, 2, 4 s) but {@code retry_backoff_max} caps it at 1 s: the third
     * retry waits about 1 s, not 4. A maximum is an upper bound, so this one is asserted from above, with room.
     */
    @Test
    void retryBackoffDoublesTheCountdownUpToItsMaximum() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults());
        String key = key();

        assertThat(app.client().send("o.backoff_capped", List.of(key), Map.of()).get(WAIT)).isEqualTo(3);

        List<Duration> gaps = gaps(OptionTasks.attempts(key));
        assertThat(gaps).hasSize(3).allSatisfy(g -> {
            assertThat(g.plus(CLOCK)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(g).as("capped at 1 s; uncapped, the third would be 4 s").isLessThan(
                    Duration.ofSeconds(1).plus(LATENCY));
        });
    }

    /**
     * Without jitter a backoff of 4 s waits 4 s; with Celery's full jitter a random whole number of seconds from 0 to
     * 4. Of eight jittered tasks, all wait at most 4 s (with room) and at least one waits less: that all eight drew
     * the full 4 s has a chance of 5^-8, under one in 390,000.
     */
    @Test
    void retryJitterSpreadsCountdownsBelowTheBackoff() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 4, false, DispatchOptions.defaults());
        String exact = key();
        List<String> jittered = new ArrayList<>();
        List<AsyncResult> sent = new ArrayList<>();
        sent.add(app.client().send("o.backoff_exact", List.of(exact), Map.of()));
        for (int i = 0; i < 8; i++) {
            jittered.add(key());
            sent.add(app.client().send("o.backoff_jittered", List.of(jittered.get(i)), Map.of()));
        }

        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(1);
        }
        Duration backoff = Duration.ofSeconds(4);
        assertThat(gaps(OptionTasks.attempts(exact)).get(0).plus(CLOCK)).isGreaterThanOrEqualTo(backoff);
        List<Duration> spread = jittered.stream().map(k -> gaps(OptionTasks.attempts(k)).get(0)).toList();
        assertThat(spread).allSatisfy(g -> assertThat(g).isLessThan(backoff.plus(LATENCY)));
        assertThat(spread).as("countdowns drawn from 0 to 4 s").anySatisfy(
                g -> assertThat(g).isLessThan(backoff.minusMillis(500)));
    }

    // --- time limits, rate limits, expiry, priority

    @Test
    void taskOwnTimeLimitsStopItAndTheWorkerGoesOn() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 1, false, DispatchOptions.defaults());

        TaskFailedException soft = failure(app.client().send("o.soft_limited", List.of(30), Map.of()));
        TaskFailedException hard = failure(app.client().send("o.hard_limited", List.of(3), Map.of()));

        assertThat(soft.exception().type()).isEqualTo("SoftTimeLimitExceeded");
        assertThat(soft.exception().module()).isEqualTo("billiard.exceptions");
        assertThat(hard.exception()).isEqualTo(new ExceptionInfo("TimeLimitExceeded", "billiard.exceptions", "1"));
        // The one pool thread is still stuck in o.hard_limited: a replacement runs this.
        assertThat(app.client().send("o.soft_limited", List.of(0.05), Map.of()).get(WAIT)).isEqualTo(0.05);
        await("every message acked", () -> apps.unacked() == 0 && apps.queued("celery") == 0);
    }

    @Test
    void rateLimitChangedAtRunTimeReleasesTheTasksWaitingForIt() throws Exception {
        Celeriac app = apps.app();
        Worker worker = apps.worker(app, 2, false, DispatchOptions.defaults().withDefaultRateLimit("1/m"));
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(app.client().send("demo.add", List.of(i, 1), Map.of()));
        }
        await("one task run", () -> sent.stream().filter(r -> r.state() == TaskState.SUCCESS).count() == 1);
        await("the others taken from Redis", () -> apps.queued("celery") == 0);
        Thread.sleep(500);
        assertThat(sent.stream().filter(r -> r.state() == TaskState.SUCCESS)).as("the next one is a minute away")
                .hasSize(1);
        assertThat(worker.rateLimit("demo.add")).isEqualTo("1/m");

        worker.setRateLimit("demo.add", "");

        for (int i = 0; i < 4; i++) {
            assertThat(((Number) sent.get(i).get(WAIT)).intValue()).isEqualTo(i + 1);
        }
        assertThat(worker.rateLimit("demo.add")).isEmpty();
        await("every message acked", () -> apps.unacked() == 0);
    }

    @Test
    void celeriacClientExpiresAndPriorityReachTheWorker() throws Exception {
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults().withPool(DispatchOptions.Pool.SOLO));
        AsyncResult expired = app.client().send("demo.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().expires(Instant.now().minusSeconds(5)));
        AsyncResult expiresDuringCountdown = app.client().send("demo.add", List.of(2, 2), Map.of(),
                SendOptions.defaults().countdown(Duration.ofSeconds(2)).expires(Instant.now().plusSeconds(1)));
        AsyncResult inTime = app.client().send("demo.add", List.of(3, 3), Map.of(),
                SendOptions.defaults().expires(Instant.now().plusSeconds(60)));
        AsyncResult priority = app.client().send("demo.priority", List.of(), Map.of(),
                SendOptions.defaults().priority(7));

        TaskFailedException e = failure(expired);
        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "expired"));
        assertThat(failure(expiresDuringCountdown).state()).isEqualTo(TaskState.REVOKED);
        assertThat(((Number) inTime.get(WAIT)).intValue()).isEqualTo(6);
        assertThat(priority.get(WAIT)).isEqualTo(7);
    }

    // --- revokes by stamp

    /**
     * Revoked by a stamped header, as Celery 5.3's {@code revoke_by_stamped_headers}: tasks stamped with the value
     * (or a list holding it) end REVOKED unrun, others run, and a terminating revoke interrupts the stamped task
     * running.
     */
    @Test
    void revokeByStampedHeaderSettlesStampedTasksRevokedAndTerminatesTheOneRunning() throws Exception {
        Celeriac app = apps.app();
        Worker worker = apps.worker(app, 2, false, DispatchOptions.defaults());
        String runningKey = key();
        AsyncResult running = sendStamped(app, "o.lost_failed", runningKey, Map.of("tenant", "acme"));
        await("the stamped task running", () -> OptionTasks.attempts(runningKey).size() == 1);
        worker.revokeByStampedHeader("batch", 7L, false);

        String listedKey = key();
        String singleKey = key();
        AsyncResult listed = sendStamped(app, "o.lost_failed", listedKey, Map.of("batch", List.of(8, 7)));
        AsyncResult single = sendStamped(app, "o.lost_failed", singleKey, Map.of("batch", 7, "other", "x"));
        AsyncResult other = sendStamped(app, "demo.add", 2, Map.of("batch", 9));
        worker.revokeByStampedHeader("tenant", "acme", true);

        assertThat(failure(listed).exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "revoked"));
        assertThat(failure(single).state()).isEqualTo(TaskState.REVOKED);
        assertThat(((Number) other.get(WAIT)).intValue()).isEqualTo(4);
        assertThat(OptionTasks.attempts(listedKey)).as("never run").isEmpty();
        assertThat(OptionTasks.attempts(singleKey)).as("never run").isEmpty();
        TaskFailedException terminated = failure(running);
        assertThat(terminated.state()).isEqualTo(TaskState.REVOKED);
        assertThat(terminated.exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "terminated"));
        await("every message acked", () -> apps.unacked() == 0 && apps.queued("celery") == 0);
    }

    /**
     * Publishes a task stamped as Celery 5.3 stamps (names in {@code stamped_headers}, values in {@code stamps}),
     * with the argument and 2 for {@code demo.add}.
     */
    private static AsyncResult sendStamped(Celeriac app, String task, Object arg, Map<String, Object> stamps) {
        String id = UUID.randomUUID().toString();
        List<Object> args = task.equals("demo.add") ? List.of(arg, 2) : List.of(arg);
        TaskMessage m = TaskMessage.of(id, task, args, Map.of());
        m = new TaskMessage(m.id(), m.task(), m.args(), m.kwargs(), m.embed(), 0, null, null, null, null, null, null,
                null, null, false, null, 0,
                Map.of("stamped_headers", List.copyOf(stamps.keySet()), "stamps", stamps));
        ProtocolV2 codec = new ProtocolV2(new ServiceLoaderCatalog().serializer("json"));
        app.transport().publish("celery", codec.encode(m, "celery"));
        return app.client().result(id);
    }

    // --- warm shutdown and the delivery cap

    /**
     * A task a warm shutdown gives back (here one waiting for its countdown) was settled, not lost with a dying
     * worker: it goes back unmarked, and does not count toward {@code worker_max_deliveries}, which would otherwise
     * dead-letter a task that never ran after that many restarts (here 1).
     */
    @Test
    void tasksGivenBackAtWarmShutdownsAreNotCountedTowardTheDeliveryCap() throws Exception {
        DispatchOptions cap = DispatchOptions.defaults().withMaxDeliveries(1);
        AsyncResult r = apps.app().client().send("demo.add", List.of(2, 3), Map.of(),
                SendOptions.defaults().countdown(Duration.ofSeconds(8)));
        Pattern redelivered = Pattern.compile("\"redelivered\":\\s*true");
        for (int restart = 1; restart <= 2; restart++) {
            Worker w = apps.worker(apps.app(), 1, false, cap);
            await("the task taken", () -> apps.queued("celery") == 0 && apps.unacked() == 1);

            w.stop();

            try (Jedis j = apps.broker()) {
                assertThat(j.lrange("celery", 0, -1)).as("given back at shutdown %d", restart).singleElement()
                        .satisfies(m -> assertThat(redelivered.matcher(m).find()).as("marked redelivered").isFalse());
            }
            assertThat(apps.unacked()).isZero();
        }
        apps.worker(apps.app(), 1, false, cap);

        assertThat(((Number) r.get(WAIT)).intValue()).isEqualTo(5);
        try (Jedis j = apps.broker()) {
            assertThat(j.llen("celeriac.dead_letter")).isZero();
        }
    }

    // --- reject_on_worker_lost

    @Test
    void lateAckTaskCutShortAtShutdownIsRequeuedOnRedisWhenItRejectsOnWorkerLost() throws Exception {
        Celeriac app = apps.app();
        Worker first = apps.worker(app, 1, false, DispatchOptions.defaults());
        String key = key();
        AsyncResult r = app.client().send("o.lost_requeued", List.of(key), Map.of());
        await("the task running", () -> OptionTasks.attempts(key).size() == 1);

        first.stop(); // a shutdown timeout of 100 ms: the task is interrupted

        assertThat(apps.queued("celery")).as("back on its queue").isEqualTo(1);
        assertThat(apps.unacked()).isZero();
        assertThat(r.state()).as("no outcome stored").isEqualTo(TaskState.PENDING);
        OptionTasks.release(key).countDown();
        apps.worker(apps.app(), 1, false, DispatchOptions.defaults());
        assertThat(r.get(WAIT)).isEqualTo("released");
        assertThat(OptionTasks.attempts(key)).hasSize(2);
    }

    @Test
    void lateAckTaskCutShortAtShutdownFailsWithWorkerLostErrorByDefaultOrByTheSettingIsRequeued() throws Exception {
        Celeriac app = apps.app();
        Worker first = apps.worker(app, 1, false, DispatchOptions.defaults());
        String key = key();
        AsyncResult lost = app.client().send("o.lost_failed", List.of(key), Map.of());
        await("the task running", () -> OptionTasks.attempts(key).size() == 1);

        first.stop();

        TaskFailedException e = failure(lost);
        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("WorkerLostError");
        assertThat(e.exception().module()).isEqualTo("billiard.exceptions");
        assertThat(apps.queued("celery") + apps.unacked()).as("acked, not requeued").isZero();

        Celeriac rejecting = apps.app(Map.of(Settings.TASK_REJECT_ON_WORKER_LOST, "true"));
        Worker second = apps.worker(rejecting, 1, false, DispatchOptions.defaults());
        String requeuedKey = key();
        AsyncResult requeued = rejecting.client().send("o.lost_failed", List.of(requeuedKey), Map.of());
        await("the task running", () -> OptionTasks.attempts(requeuedKey).size() == 1);

        second.stop();

        assertThat(apps.queued("celery")).as("task_reject_on_worker_lost: back on its queue").isEqualTo(1);
        assertThat(requeued.state()).isEqualTo(TaskState.PENDING);
    }
}
