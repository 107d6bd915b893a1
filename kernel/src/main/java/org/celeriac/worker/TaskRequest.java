package org.celeriac.worker;

import java.time.Instant;

import org.celeriac.protocol.TaskMessage;

/**
 * A task a worker holds, as Celery's {@code inspect active|reserved|scheduled} replies and its task events describe
 * one: a snapshot, taken when it was asked for.
 *
 * @param task         the task message, decoded
 * @param queue        the queue it came from
 * @param redelivered  whether the broker gave the message out before without it being settled
 * @param acknowledged whether its message was acked already: early-ack tasks are, from the moment they start
 * @param timeStart    when it started running on a pool thread; null until then
 * @param eta          when it may start at the earliest, from its message; null for at once
 */
public record TaskRequest(TaskMessage task, String queue, boolean redelivered, boolean acknowledged,
                          Instant timeStart, Instant eta) {
}
