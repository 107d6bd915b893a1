package org.celeriac.control;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.events.EventDispatcher;
import org.celeriac.events.LamportClock;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends remote-control commands to workers, Celery's and Celeriac's alike, and collects their replies, as Celery's
 * {@code app.control}: {@code call("ping", Map.of(), ControlTarget.all())} gives {@code {"w1@host": {"ok": "pong"}}}.
 * Safe for use by several threads: each call has a reply queue of its own.
 */
public final class Control {
    private static final Logger LOG = LoggerFactory.getLogger(Control.class);

    private final Transport transport;
    private final Mailbox mailbox;

    /**
     * @param namespace Celery's {@code control_exchange}: {@code celery}
     */
    public Control(Transport transport, Serializer json, LamportClock clock, String namespace) {
        this(transport, ControlSerializers.json(json), clock, namespace);
    }

    /**
     * @param serializers what commands are written with and replies read with (signed, with message signing)
     * @param namespace   Celery's {@code control_exchange}: {@code celery}
     */
    public Control(Transport transport, ControlSerializers serializers, LamportClock clock, String namespace) {
        this.transport = transport;
        this.mailbox = new Mailbox(namespace, serializers, clock);
    }

    /**
     * Sends a command and waits for the replies of the nodes it is for: until the target's limit is reached, or no
     * reply came for its timeout.
     *
     * @return each replying node's reply by its name, in the order they came. A name that replied twice (two nodes
     * with one name) keeps its first reply and is logged, as Celery warns with {@code DuplicateNodenameWarning}.
     */
    public Map<String, Object> call(String method, Map<String, Object> arguments, ControlTarget target) {
        Map<String, Object> byNode = new LinkedHashMap<>();
        for (Map.Entry<String, Object> reply : collect(method, arguments, target)) {
            if (byNode.containsKey(reply.getKey())) {
                LOG.warn("Received multiple replies from node name {}: give each node a unique name with -n",
                        reply.getKey());
            } else {
                byNode.put(reply.getKey(), reply.getValue());
            }
        }
        return byNode;
    }

    /**
     * As {@link #call}, every reply as it came, duplicates included: for a node that checks whether its own name is
     * taken.
     */
    public List<Map.Entry<String, Object>> collect(String method, Map<String, Object> arguments,
                                                   ControlTarget target) {
        String oid = UUID.randomUUID().toString();
        String ticket = UUID.randomUUID().toString();
        LinkedBlockingQueue<Mailbox.Reply> inbox = new LinkedBlockingQueue<>();
        ControlCommand command = new ControlCommand(method, arguments, target.destination(), target.pattern(),
                target.matcher(), ticket, mailbox.replyExchange(), oid);
        List<Map.Entry<String, Object>> replies = new ArrayList<>();
        // Bound before the command goes, so that no reply comes before anyone listens.
        try (Subscription s = transport.subscribeDirect(mailbox.replyExchange(), oid, mailbox.replyQueue(oid), m -> {
            Mailbox.Reply r = mailbox.readReply(m);
            if (r != null && ticket.equals(r.ticket())) {
                inbox.add(r);
            }
        })) {
            transport.broadcast(mailbox.exchange(), mailbox.command(command, expires(target)));
            int limit = target.replyLimit();
            long waitNanos = target.timeout().toNanos();
            while (limit == 0 || replies.size() < limit) {
                Mailbox.Reply r = inbox.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (r == null) {
                    break;
                }
                // not Map.entry, which takes no null: a node may reply None (Celery's hello to itself)
                replies.add(new AbstractMap.SimpleImmutableEntry<>(r.hostname(), r.value()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return replies;
    }

    /** Celery's {@code inspect()}: every node, the default timeout. */
    public Inspect inspect() {
        return inspect(ControlTarget.all());
    }

    /** Celery's {@code inspect(destination=..., timeout=...)}. */
    public Inspect inspect(ControlTarget target) {
        return new Inspect(this, target);
    }

    /** Sends a command that wants no reply, as Celery's {@code cast}/{@code broadcast(reply=False)}. */
    public void cast(String method, Map<String, Object> arguments, ControlTarget target) {
        ControlCommand command = new ControlCommand(method, arguments, target.destination(), target.pattern(),
                target.matcher(), null, null, null);
        transport.broadcast(mailbox.exchange(), mailbox.command(command, expires(target)));
    }

    private static double expires(ControlTarget target) {
        return EventDispatcher.now() + target.timeout().toNanos() / 1e9;
    }
}
