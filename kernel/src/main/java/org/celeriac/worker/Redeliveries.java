package org.celeriac.worker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.protocol.ProtocolV2;
import org.celeriac.spi.transport.Message;

/**
 * Counts the deliveries of a message across workers that die with it, where the broker only says whether it gave
 * the message out before. A worker that receives a message marked redelivered publishes a copy carrying the count,
 * one more, and the history of such redeliveries, then acks the original; the count travels with the message, so a
 * worker killed with {@code kill -9}, which can write nothing, still leaves it counted by the next one.
 */
final class Redeliveries {
    /** How many times the message was delivered, as far as workers saw redeliveries; absent for once. */
    static final String COUNT = "x-celeriac-deliveries";
    /** One entry per redelivery seen: when and by which worker. */
    static final String HISTORY = "x-celeriac-redeliveries";

    private Redeliveries() {
    }

    /** Deliveries of this message counted so far: 1 for one that never came back. */
    static int count(Message m) {
        return m.headers().get(COUNT) instanceof Number n ? Math.max(1, n.intValue()) : 1;
    }

    /** A copy to publish in place of a redelivered message: counted once more, with the redelivery in its history. */
    static Message counted(Message m, int deliveries, String worker) {
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put(COUNT, deliveries);
        List<Object> history = new ArrayList<>();
        if (m.headers().get(HISTORY) instanceof List<?> l) {
            history.addAll(l);
        }
        history.add(ProtocolV2.formatTime(Instant.now()) + " redelivered to " + worker);
        headers.put(HISTORY, history);
        return fresh(m, headers);
    }

    /**
     * A copy of {@code m} with {@code headers} to publish anew: without the marks of its past delivery (kombu's
     * {@code delivery_info}, and the {@code redelivered} header kombu's Redis restore adds), or the copy would itself
     * read as redelivered, and be counted again at once.
     */
    static Message fresh(Message m, Map<String, Object> headers) {
        Map<String, Object> h = new LinkedHashMap<>(headers);
        h.remove("redelivered");
        Map<String, Object> properties = new LinkedHashMap<>(m.properties());
        properties.remove("delivery_info"); // where the original came from; the copy gets its own
        return new Message(m.body(), m.contentType(), m.contentEncoding(), h, properties);
    }
}
