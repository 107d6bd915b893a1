package org.celeriac.transport.sql;

/**
 * What a {@link org.celeriac.spi.transport.Delivery} carries to be settled: the row and which delivery of
 * it this is, so that a stale delivery (whose lease ran out and was claimed again) cannot requeue the new one.
 */
record Tag(long id, int deliveryCount) {
}
