"""A Celery result backend, for Celeriac's result interop contract (the backend chosen by its URL).

    result_peer.py URL store ID...      stores SUCCESS with result [index, "text"] for each id, as a worker would
    result_peer.py URL read ID...       prints one JSON line per id: {"id", "state", "result"}
"""
import json
import sys

from celery import Celery


def main():
    url, mode, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
    app = Celery('result_peer', backend=url)
    app.conf.result_serializer = 'json'
    app.conf.accept_content = ['json']
    backend = app.backend
    if mode == 'store':
        for i, task_id in enumerate(ids):
            backend.store_result(task_id, [i, 'text from Python'], 'SUCCESS')
    elif mode == 'read':
        for task_id in ids:
            meta = backend.get_task_meta(task_id)
            print(json.dumps({'id': task_id, 'state': meta['status'], 'result': meta['result']}))
    else:
        raise SystemExit('unknown mode ' + mode)


if __name__ == '__main__':
    main()
