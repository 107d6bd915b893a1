package org.celeriac.spi.transport;

/**
 * A message handed to a consumer and not yet settled. Exactly one of {@link Transport#ack} or
 * {@link Transport#reject} settles it; until then the broker keeps it, and gives it to another consumer
 * when this one goes away.
 *
 * @param queue       the queue it came from
 * @param message     the message
 * @param tag         the transport's own handle for settling it; opaque to the kernel
 * @param redelivered whether the broker gave this message out before (to a consumer that did not settle it)
 */
public record Delivery(String queue, Message message, Object tag, boolean redelivered) {
}
