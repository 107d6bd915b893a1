"""Python Celery's side of bench/run-backend: a result backend's store and read, one thread.

    backend_bench.py URL N REPS     stores N SUCCESS results (store_result), then reads them (get_task_meta);
                                    prints RESULT lines with the best of REPS loops, per second
"""
import sys
import time
import uuid

from celery import Celery


def main():
    url, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    app = Celery('backend_bench', backend=url)
    app.conf.result_serializer = 'json'
    backend = app.backend
    best_store = best_read = 0.0
    for _ in range(reps):
        ids = [str(uuid.uuid4()) for _ in range(n)]
        t0 = time.perf_counter()
        for i, task_id in enumerate(ids):
            backend.store_result(task_id, i, 'SUCCESS')
        t1 = time.perf_counter()
        for task_id in ids:
            backend.get_task_meta(task_id)
        t2 = time.perf_counter()
        best_store = max(best_store, n / (t1 - t0))
        best_read = max(best_read, n / (t2 - t1))
        print(f'celery store {n / (t1 - t0):.0f}/s read {n / (t2 - t1):.0f}/s', file=sys.stderr)
    print(f'RESULT celery.store {best_store:.0f}')
    print(f'RESULT celery.read {best_read:.0f}')


if __name__ == '__main__':
    main()
