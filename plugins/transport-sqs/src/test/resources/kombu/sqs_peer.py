"""Python Celery's side of SqsKombuInteropTest, on kombu's SQS transport (boto3; pycurl for the worker).

All modes take URL PREFIX QUEUE: the sqs:// URL of ElasticMQ, the queue_name_prefix, and Celery's queue name.
send: sends demo.add(2, 3, k=None) with Celery and prints the task id.
take: consumes one message as a Celery worker's queue would, acks it and prints it as JSON.
work OUT: runs a Celery worker on QUEUE whose demo.add writes its arguments and task id to the file OUT.
"""
import json
import socket
import sys

from celery import Celery
from kombu import Connection, Consumer, Queue


def app_for(url, prefix):
    app = Celery('peer', broker=url)
    app.conf.broker_transport_options = {'region': 'us-east-1', 'queue_name_prefix': prefix,
                                         'visibility_timeout': 60, 'wait_time_seconds': 1,
                                         'polling_interval': 0.2}
    return app


def send(url, prefix, queue):
    app = app_for(url, prefix)
    result = app.send_task('demo.add', args=[2, 3], kwargs={'k': None}, queue=queue)
    print(result.id)


def take(url, prefix, queue):
    app = app_for(url, prefix)
    got = []
    with Connection(url, transport_options=app.conf.broker_transport_options) as conn:
        def on_message(body, message):
            got.append({
                'body': message.body.decode('utf-8') if isinstance(message.body, bytes) else message.body,
                'content_type': message.content_type,
                'content_encoding': message.content_encoding,
                'headers': message.headers,
                'properties': {k: v for k, v in message.properties.items()
                               if k not in ('application_headers', 'delivery_info', 'delivery_tag')},
                'routing_key': message.delivery_info.get('routing_key'),
            })
            message.ack()
        with Consumer(conn, [Queue(queue)], callbacks=[on_message], accept=['json']):
            for _ in range(20):
                try:
                    conn.drain_events(timeout=1)
                except (socket.timeout, TimeoutError):
                    pass
                if got:
                    break
    print(json.dumps(got[0] if got else None))


def work(url, prefix, queue, out):
    app = app_for(url, prefix)

    @app.task(name='demo.add', bind=True)
    def add(self, x, y, k=None):
        with open(out, 'w') as f:
            json.dump({'id': self.request.id, 'args': [x, y], 'k': k}, f)
        return x + y

    app.worker_main(['worker', '-P', 'solo', '-Q', queue, '--without-mingle', '--without-gossip',
                     '--without-heartbeat', '-l', 'info'])


if __name__ == '__main__':
    {'send': send, 'take': take, 'work': work}[sys.argv[1]](*sys.argv[2:])
