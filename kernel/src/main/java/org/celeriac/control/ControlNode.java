package org.celeriac.control;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's end of the mailbox, as kombu's {@code Node}: receives the commands broadcast on the pidbox exchange,
 * runs those meant for this node one at a time on a thread of its own (never the transport's), and replies to the
 * caller's queue. A command that fails replies {@code {"error": "..."}}; one that cannot be read is logged and
 * dropped; none stops the node.
 */
final class ControlNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlNode.class);

    /** A command's handler: its arguments in, its reply out (null replies {@code null}, as Celery's None). */
    @FunctionalInterface
    interface Handler {
        Object handle(Map<String, Object> arguments) throws Exception;
    }

    /** Celery's reply for a command that went well: {@code {"ok": value}}. */
    static Map<String, Object> ok(Object value) {
        return Map.of("ok", value);
    }

    /** Celery's reply for a command that was refused: {@code {"error": value}}. */
    static Map<String, Object> nok(Object value) {
        return Map.of("error", value);
    }

    /** What a handler returns for a command that must not reply, as Celery's shutdown, which exits first. */
    static final Object NO_REPLY = new Object();

    private final Transport transport;
    private final Mailbox mailbox;
    private final String hostname;
    private final Map<String, Handler> handlers;
    private final ExecutorService executor;
    private Subscription subscription;

    ControlNode(Transport transport, Mailbox mailbox, String hostname, Map<String, Handler> handlers) {
        this.transport = transport;
        this.mailbox = mailbox;
        this.hostname = hostname;
        this.handlers = handlers;
        // Bounded: a flood of commands waits on the broker side rather than in this heap.
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1_000), r -> {
            Thread t = new Thread(r, "celeriac-control-" + hostname);
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void start() {
        if (subscription == null) {
            subscription = transport.subscribe(mailbox.exchange(), this::received);
        }
    }

    private void received(Message m) {
        try {
            executor.execute(() -> handle(m));
        } catch (RejectedExecutionException e) {
            LOG.warn("Control command dropped: {}", executor.isShutdown() ? "the node is closing" : "too many waiting");
        }
    }

    void handle(Message m) {
        ControlCommand c;
        try {
            c = mailbox.read(m);
            if (!c.isFor(hostname)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring a control message that cannot be read: {}", e.getMessage());
            return;
        }
        Object reply;
        Handler h = handlers.get(c.method());
        if (h == null) {
            LOG.error("No such control command: {}", c.method());
            reply = nok("No such control command: " + c.method());
        } else {
            LOG.debug("Control command {} {}", c.method(), c.arguments());
            try {
                reply = h.handle(c.arguments());
            } catch (Exception e) {
                LOG.error("Control command {} failed", c.method(), e);
                reply = nok(e.getClass().getSimpleName() + "('" + e.getMessage() + "')");
            }
        }
        if (reply != NO_REPLY && c.wantsReply()) {
            try {
                transport.publishDirect(c.replyExchange(), c.replyRoutingKey(),
                        mailbox.reply(hostname, reply, c.ticket()));
            } catch (RuntimeException e) {
                LOG.warn("Cannot reply to control command {}: {}", c.method(), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
        executor.shutdown();
    }
}
