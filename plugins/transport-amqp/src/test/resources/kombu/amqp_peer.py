"""Python Celery's side of AmqpKombuInteropTest, on kombu's py-amqp transport.

send URL QUEUE: sends demo.add(2, 3, k=None) with Celery (which declares QUEUE as it does for a missing queue) and
prints the task id.
take URL QUEUE: declares QUEUE as a Celery worker would for -Q QUEUE, takes one message, acks it and prints it as JSON.
"""
import json
import socket
import sys

from celery import Celery
from kombu import Connection, Consumer, Queue


def send(url, queue):
    app = Celery('peer', broker=url)
    result = app.send_task('demo.add', args=[2, 3], kwargs={'k': None}, queue=queue, priority=3)
    print(result.id)


def take(url, queue):
    app = Celery('peer', broker=url)
    declared = app.amqp.queues[queue]  # created as for a missing queue: Queue(queue, Exchange(queue), queue)
    got = []
    with Connection(url) as conn:
        def on_message(body, message):
            got.append({
                'body': message.body.decode('utf-8') if isinstance(message.body, bytes) else message.body,
                'content_type': message.content_type,
                'content_encoding': message.content_encoding,
                'headers': message.headers,
                'properties': {k: v for k, v in message.properties.items() if k != 'application_headers'},
                'delivery_info': {'exchange': message.delivery_info['exchange'],
                                  'routing_key': message.delivery_info['routing_key']},
            })
            message.ack()
        with Consumer(conn, [Queue(declared.name, declared.exchange, declared.routing_key)],
                      callbacks=[on_message], accept=['json']):
            try:
                conn.drain_events(timeout=20)
            except socket.timeout:
                pass
    print(json.dumps(got[0] if got else None))


if __name__ == '__main__':
    {'send': send, 'take': take}[sys.argv[1]](sys.argv[2], sys.argv[3])
