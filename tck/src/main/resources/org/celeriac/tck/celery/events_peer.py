"""Python Celery's side of AmqpEventsInteropTest: Celery's events on a topic exchange, with kombu's py-amqp transport.

worker URL QUEUE EXCHANGE: runs a Celery worker with events on (-E), sending them to EXCHANGE (event_exchange), that
  consumes QUEUE and knows demo.add.
receive URL EXCHANGE TYPE: declares an event receiver (app.events.Receiver) on EXCHANGE, prints READY once it
  consumes, then prints each event it hears as a JSON line until one of type TYPE came.
"""
import json
import sys

from celery import Celery


def make_app(url, exchange):
    app = Celery('evpeer', broker=url)
    app.conf.event_exchange = exchange
    app.conf.worker_hijack_root_logger = False

    @app.task(name='demo.add')
    def add(x, y, k=None):
        return x + y

    return app


def worker(url, queue, exchange):
    app = make_app(url, exchange)
    app.worker_main(['worker', '-E', '-Q', queue, '-P', 'solo', '-c', '1', '-n', 'pyw@interop',
                     '--without-mingle', '--without-gossip', '--loglevel=WARNING'])


def receive(url, exchange, last_type):
    app = make_app(url, exchange)

    with app.connection_for_read() as conn:
        def on_event(event):
            print(json.dumps(event), flush=True)
            if event.get('type') == last_type:
                receiver.should_stop = True

        receiver = app.events.Receiver(conn, handlers={'*': on_event})
        ready = receiver.on_consume_ready

        def on_ready(connection, channel, consumers, **kwargs):
            ready(connection, channel, consumers, wakeup=False)
            print('READY', flush=True)

        receiver.on_consume_ready = on_ready
        receiver.capture(timeout=30, wakeup=False)


if __name__ == '__main__':
    {'worker': worker, 'receive': receive}[sys.argv[1]](*sys.argv[2:])
