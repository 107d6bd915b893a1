"""Celery 5.2's side of RedisChordInteropTest: its Redis result backend joining chords and keeping groups.

Run by /usr/bin/python3 with one argument, a JSON object: "url" (broker and backend), "mode" and the mode's fields.
  part     a header member returning: set_chord_size(group, size) first when "size" is given, then
           on_chord_part_return for "task_id" at "index" in "state"; a FAILURE's "result" is the args of a ValueError.
           The chord's body is task "body" with task id "body_id", so the test finds its message.
  restore  GroupResult.restore(group): prints {"id", "members"} or null.
  save     GroupResult(group, members).save().
Prints one line of JSON on stdout; Celery's logs go to stderr.
"""
import json
import logging
import sys

from celery import Celery
from celery.app.task import Context
from celery.result import AsyncResult, GroupResult


def main():
    spec = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    app = Celery('chord_peer', broker=spec['url'], backend=spec['url'])
    mode = spec['mode']
    if mode == 'part':
        group = spec['group']
        if spec.get('size') is not None:
            app.backend.set_chord_size(group, spec['size'])
        # What a worker's request carries for a chord's header member (the body as a signature dict).
        request = Context(id=spec['task_id'], group=group, group_index=spec['index'],
                          chord={'task': spec['body'], 'args': [], 'kwargs': {},
                                 'options': {'task_id': spec['body_id']},
                                 'subtask_type': None, 'immutable': False})
        result = spec['result']
        if spec['state'] == 'FAILURE':
            result = ValueError(*result)
        app.backend.on_chord_part_return(request, spec['state'], result)
        print(json.dumps({'ok': True}))
    elif mode == 'restore':
        restored = GroupResult.restore(spec['group'], app=app)
        print(json.dumps(None if restored is None
                         else {'id': restored.id, 'members': [r.id for r in restored.results]}))
    elif mode == 'save':
        GroupResult(spec['group'], [AsyncResult(m, app=app) for m in spec['members']], app=app).save()
        print(json.dumps({'ok': True}))
    else:
        raise SystemExit('unknown mode ' + mode)


if __name__ == '__main__':
    main()
