"""Python Celery's side of the remote-control (pidbox) interop tests; the broker is CELERIAC_PEER_BROKER.

As Celery's app module (-A pidbox_peer, run from this file's directory): a worker, e.g.
  python3 -m celery -A pidbox_peer worker -n pyw@%h --pool solo
  that answers remote-control commands broadcast on celery.pidbox.
ping: prints, as one JSON line, what app.control.inspect(timeout=2).ping() returns.
declare-reply-queue OID: declares the reply queue, exchange and binding that a caller with this oid declares
  (Celery's app.control.mailbox, kombu's Mailbox.get_reply_queue), then prints OK.
"""
import json
import os
import sys

from celery import Celery

app = Celery('pidbox_peer', broker=os.environ['CELERIAC_PEER_BROKER'])
app.conf.worker_hijack_root_logger = False


def ping():
    print(json.dumps(app.control.inspect(timeout=2).ping()), flush=True)


def declare_reply_queue(oid):
    import kombu.pidbox
    # Mailbox.oid asks kombu.pidbox.oid_from each time: answer with the oid asked for
    kombu.pidbox.oid_from = lambda instance, threads=True: oid
    with app.connection_for_write() as conn:
        app.control.mailbox(conn).get_reply_queue()(conn.default_channel).declare()
    print('OK', flush=True)


if __name__ == '__main__':
    {'ping': ping, 'declare-reply-queue': declare_reply_queue}[sys.argv[1]](*sys.argv[2:])
