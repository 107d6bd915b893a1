package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * Python Celery and Celeriac on one Redis, as broker (db 0) and result backend (db 1), both flushed before each
 * test: the {@link CeleryInteropContract}, and megabyte unicode payloads and expiry on top. Redis comes from
 * {@code CELERIAC_TEST_REDIS_URL} (set by run-tests) or, without it, is started here. Skipped when Celery is not
 * installed, except under CI ({@code CI=true}), where that fails.
 */
class RedisCeleryInteropTest extends CeleryInteropContract {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    RedisCeleryInteropTest() {
        super(300);
    }

    @BeforeAll
    static void celery() throws InterruptedException {
        PythonProcesses.requireModules("celery", "redis");
    }

    @Override
    String broker() {
        return REDIS.url(0);
    }

    @Override
    String backend() {
        return REDIS.url(1);
    }

    @Override
    void clear() {
        REDIS.flush(0, 1);
    }

    @Override
    void assertDefaultQueueDrained() {
        try (Jedis j = REDIS.client(0)) {
            assertThat(j.llen("celery")).as("messages left on the queue").isZero();
            assertThat(j.hlen("unacked")).as("messages left unacked").isZero();
            assertThat(j.zcard("unacked_index")).as("unacked index entries left").isZero();
        }
    }

    @Test
    void pythonClientGetsMegabyteUnicodeArgumentsAndKwargsBackUnchanged() throws Exception {
        celeriacWorker();
        // Characters by code point, so that nothing here depends on escaping: ASCII, the characters JSON must
        // escape (quote, backslash, controls, NUL), Latin-1, BMP (CJK, U+FFFD), a ZWJ emoji sequence and
        // non-BMP ones up to U+10FFFD, which JSON carries as surrogate pairs.
        String out = runPython("large", """
                import sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                alphabet = ''.join(map(chr, [0x61, 0x5a, 0x30, 0x20, 0x22, 0x5c, 0x2f, 0x08, 0x0c, 0x0a, 0x0d, 0x09,
                                             0x00, 0x1f, 0x7f, 0xe9, 0xdf, 0x2603, 0x65e5, 0x672c, 0xfffd, 0x1f600,
                                             0x1f468, 0x200d, 0x1f469, 0x10348, 0x10fffd]))

                def text(n, salt):
                    pieces, size, i = [], 0, salt
                    while size < n:
                        piece = alphabet[i % len(alphabet)] * (1 + i % 3)
                        pieces.append(piece)
                        size += len(piece)
                        i += 7
                    return ''.join(pieces)[:n]

                def nest(depth, leaf):
                    v = leaf
                    for d in range(depth):
                        v = {'level': d, 'child': [v, None, True, False, -d, d * 0.5]} if d % 2 else [d, v, {chr(0x1f511): d}]
                    return v

                MB = 1024 * 1024
                numbers = [0, -1, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, -2**63, 2**64 + 3,
                           0.1, -2.5e-300, 1.7976931348623157e308, 123456.789]
                args = [text(MB, 1), nest(40, {'numbers': numbers, 'empty': [{}, [], '']}),
                        [text(1000, s) for s in range(100)]]
                kwargs = {'blob': text(MB, 2), 'k' + chr(0xe9) + 'y ' + chr(0x1f600): nest(30, 'leaf ' + chr(0x1f600)),
                          '': None, 'many': {text(10, s): s for s in range(1000)}}
                print('characters:', len(args[0]), len(kwargs['blob']), flush=True)

                echoed = app.send_task('demo.echo', args, kwargs).get(timeout=60)
                print('echo equal:', echoed == [args, kwargs], flush=True)
                if echoed != [args, kwargs]:
                    back_args, back_kwargs = echoed
                    print('args equal:', [a == b for a, b in zip(back_args, args)], flush=True)
                    print('kwargs equal:', {repr(k): back_kwargs.get(k) == v for k, v in kwargs.items()}, flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("characters: 1048576 1048576\n");
        assertThat(out).contains("echo equal: True\n");
    }


    @Test
    void pythonTaskSentAlreadyExpiredIsRevokedNotRun() throws Exception {
        CeleriacProcesses.Child worker = celeriacWorker();
        String out = runPython("expired", """
                import sys
                from datetime import datetime, timedelta, timezone
                from celery import Celery
                from celery.exceptions import TaskRevokedError
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                result = app.send_task('demo.add', (5, 6), expires=datetime.now(timezone.utc) - timedelta(seconds=5))
                print('id:', result.id, flush=True)
                try:
                    print('value:', result.get(timeout=60), flush=True)
                except TaskRevokedError as e:
                    print('raised TaskRevokedError', flush=True)
                print('state:', result.state, flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("raised TaskRevokedError\n");
        assertThat(out).contains("state: REVOKED\n");
        String id = line(out, "id: ");
        assertThat(worker.err()).contains("[" + id + "] expired").doesNotContain("[" + id + "] succeeded");
    }

    /**
     * Celery checks expiry again when an ETA comes (Request.revoked() before it executes), so a task whose
     * expiry falls before its countdown ends is revoked, never run. Celeriac's worker checks only on receipt.
     */
    @Test
    void pythonTaskExpiringBeforeItsCountdownIsRevokedNotRun() throws Exception {
        CeleriacProcesses.Child worker = celeriacWorker();
        String out = runPython("expires-first", """
                import sys
                from celery import Celery
                from celery.exceptions import TaskRevokedError
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                result = app.send_task('demo.add', (7, 8), countdown=4, expires=1)
                print('id:', result.id, flush=True)
                try:
                    print('value:', result.get(timeout=60), flush=True)
                except TaskRevokedError as e:
                    print('raised TaskRevokedError', flush=True)
                print('state:', result.state, flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("raised TaskRevokedError\n");
        assertThat(out).contains("state: REVOKED\n");
        assertThat(worker.err()).doesNotContain("[" + line(out, "id: ") + "] succeeded");
    }

    /**
     * 600 tasks on the one default queue, consumed at once by a Python worker and a Celeriac worker: 300 sent by
     * a Python client (results read there), 300 by a Celeriac client here. Each task id succeeds exactly once
     * across the two workers' logs, both workers take a share, and after both stop warm nothing is left on the
     * queue or unacked.
     */
}
