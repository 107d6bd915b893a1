package org.celeriac.spi.transport;

/**
 * A message handed to a consumer and not yet settled. Exactly one of {@link Transport#ack} or
 * {@link Transport#reject} settles it; until then the broker keeps it, and gives it to another consumer
 * when this one goes away.
 *
 * <p>What the broker held may not be a message the transport can read at all (a Redis list entry that is not a
 * kombu envelope, say). The transport hands it over all the same, {@link #unreadable} saying why, its bytes as they
 * came as the message's body, rather than drop it: the consumer dead-letters it, then acks it.
 *
 * @param queue       the queue it came from
 * @param message     the message
 * @param tag         the transport's own handle for settling it; opaque to the kernel
 * @param redelivered whether the broker gave this message out before (to a consumer that did not settle it)
 * @param unreadable  why the transport could not read it as a message, or null for a message it read
 */
public record Delivery(String queue, Message message, Object tag, boolean redelivered, String unreadable) {

    /** A message the transport read. */
    public Delivery(String queue, Message message, Object tag, boolean redelivered) {
        this(queue, message, tag, redelivered, null);
    }

    /**
     * What the broker held that the transport cannot read as a message: its bytes, as they came, are the body of a
     * message without headers or properties ({@code application/octet-stream}).
     *
     * @param why what is wrong with it, for the dead-letter reason
     */
    public static Delivery unreadable(String queue, byte[] raw, Object tag, String why) {
        return new Delivery(queue, new Message(raw, "application/octet-stream", "binary", null, null), tag, false,
                why == null ? "unreadable" : why);
    }
}
