"""The Python Celery side of bench/run-redis, run-amqp and run-sqs (Debian's python3-celery 5.2; run with /usr/bin/python3).

As a worker's task module:   python3 -m celery -A celery_bench worker ...   (demo.add returns x + y)
As a client:                 python3 celery_bench.py enqueue N WARMUP REPS [KEY]
                             python3 celery_bench.py fill N QUEUE
                             python3 celery_bench.py warmup K
                             python3 celery_bench.py latency M WARMUP

Broker redis://127.0.0.1:PORT/0, results redis://127.0.0.1:PORT/1, JSON only; PORT from BENCH_REDIS_PORT
(default 56500). BENCH_BROKER_URL and BENCH_BACKEND_URL replace those URLs (run-amqp: amqp://...). With
BENCH_ACKS_LATE=1 tasks are acked after they ran (task_acks_late); on an AMQP broker, BENCH_CONFIRM_PUBLISH=1 waits
for the broker's publisher confirm of each message sent (kombu's confirm_publish transport option), as Celeriac does.
BENCH_BACKEND_URL=none configures no result backend (run-sqs); BENCH_IGNORE_RESULT=1 makes the worker store no result
(task_ignore_result) and fill send its tasks with ignore_result, as Celeriac's run-sqs client does.
Measurements are printed as "RESULT key value" lines for the run- scripts to collect.
"""
import os
import sys
import time

from celery import Celery
from celery.signals import worker_ready

PORT = int(os.environ.get('BENCH_REDIS_PORT', '56500'))
BROKER = os.environ.get('BENCH_BROKER_URL') or 'redis://127.0.0.1:%d/0' % PORT
BACKEND = os.environ.get('BENCH_BACKEND_URL') or 'redis://127.0.0.1:%d/1' % PORT
if BACKEND == 'none':
    BACKEND = None
IGNORE_RESULT = os.environ.get('BENCH_IGNORE_RESULT') == '1'

app = Celery('celery_bench', broker=BROKER, backend=BACKEND)
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    result_accept_content=['json'],
)
if IGNORE_RESULT:
    app.conf.task_ignore_result = True
if os.environ.get('BENCH_ACKS_LATE') == '1':
    app.conf.task_acks_late = True
if os.environ.get('BENCH_CONFIRM_PUBLISH') == '1' and BROKER.split(':', 1)[0] in ('amqp', 'pyamqp'):
    app.conf.broker_transport_options = {'confirm_publish': True}


@app.task(name='demo.add')
def add(x, y):
    return x + y


@worker_ready.connect
def _ready(**_):
    # The worker logs " ready." at INFO only; at the default WARNING level run-redis waits for this file instead.
    path = os.environ.get('BENCH_READY_FILE')
    if path:
        with open(path, 'w') as f:
            f.write('ready\n')


def result(key, value):
    print('RESULT %s %s' % (key, value), flush=True)


def enqueue(n, warmup, reps, key='celery.enqueue'):
    """REPS timed loops of N sends, after WARMUP untimed ones (connection, declarations, first-call costs); the best."""
    for i in range(warmup):
        app.send_task('demo.add', (i, 1))
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for i in range(n):
            app.send_task('demo.add', (i, 1))
        rates.append(n / (time.perf_counter() - t0))
    print('celery enqueue loops (tasks/s): %s' % ', '.join('%.0f' % r for r in rates), file=sys.stderr)
    result(key, '%.1f' % max(rates))


def fill(n, queue):
    """N messages on QUEUE: for run-redis its own list (the plain queue name, priority 0), to RENAME in."""
    t0 = time.perf_counter()
    options = {'ignore_result': True} if IGNORE_RESULT else {}
    for i in range(n):
        app.send_task('demo.add', (i, 1), queue=queue, **options)
    print('filled %s with %d messages in %.1f s' % (queue, n, time.perf_counter() - t0), file=sys.stderr)


def warmup(k):
    """K tasks sent at once, then every result waited for."""
    sent = [app.send_task('demo.add', (i, 1)) for i in range(k)]
    for i, r in enumerate(sent):
        got = r.get(timeout=120)
        if got != i + 1:
            raise SystemExit('demo.add(%d, 1) returned %r' % (i, got))


def latency(m, warm):
    """M sequential send_task(...).get() round trips, after WARM untimed ones; p50 and p99 in ms."""
    for _ in range(warm):
        app.send_task('demo.add', (1, 1)).get(timeout=30)
    rtt = []
    for _ in range(m):
        s = time.perf_counter()
        got = app.send_task('demo.add', (1, 1)).get(timeout=30)
        rtt.append(time.perf_counter() - s)
        if got != 2:
            raise SystemExit('demo.add(1, 1) returned %r' % (got,))
    rtt.sort()
    print('celery round trips (ms): min %.3f, p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f' % tuple(
        rtt[i] * 1e3 for i in (0, m // 2, m * 90 // 100, m * 99 // 100, m * 999 // 1000, m - 1)), file=sys.stderr)
    result('celery.p50', '%.3f' % (rtt[m // 2] * 1e3))
    result('celery.p99', '%.3f' % (rtt[m * 99 // 100] * 1e3))


if __name__ == '__main__':
    cmd, args = sys.argv[1], [a for a in sys.argv[2:]]
    if cmd == 'enqueue':
        enqueue(int(args[0]), int(args[1]), int(args[2]), *args[3:4])
    elif cmd == 'fill':
        fill(int(args[0]), args[1])
    elif cmd == 'warmup':
        warmup(int(args[0]))
    elif cmd == 'latency':
        latency(int(args[0]), int(args[1]))
    else:
        raise SystemExit('unknown command ' + cmd)
