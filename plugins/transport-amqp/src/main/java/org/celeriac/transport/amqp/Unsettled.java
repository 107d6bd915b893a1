package org.celeriac.transport.amqp;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import com.rabbitmq.client.Channel;

/**
 * The deliveries of one consuming channel (in one life of it: see {@link AmqpTransport}) not settled with the broker
 * yet, and the writer of their settlements, so that acks can go as few {@code basic.ack(multiple=true)} as possible.
 * A multiple ack settles every unsettled tag of the channel up to the one given, so it is written only for a prefix
 * of the unsettled tags that are all acked: the broker then settles exactly those.
 *
 * <p>Acks given together ({@link #ackAll}) above a tag still held (a task still running on another thread) wait for
 * it a short while: when it is acked too, one multiple ack covers them all. They wait at most {@code hold}; a flush is
 * scheduled for then, which writes what still waits one by one. When the tag they wait for was delivered more than
 * {@code hold} ago (a long task, or a message held for its ETA) they do not wait at all. A single {@link #ack} is
 * written at once, and so is every reject. So each ack reaches the broker within {@code hold} of being given, and
 * those of a busy worker in one frame per batch rather than one each.
 *
 * <p>Every settlement is decided and written under this object's lock, so what the broker settles always matches the
 * state here (a tag acked twice would close the channel). Deliveries come in tag order and are added before they are
 * handed out.
 */
final class Unsettled {

    private final Channel channel;
    private final long holdNanos;
    /** Asks for {@link #flush()} in {@code hold}; called under the lock. */
    private final Consumer<Unsettled> scheduleFlush;
    /** Tag to when it was delivered (nanoTime); guarded by this. */
    private final TreeMap<Long, Long> unsettled = new TreeMap<>();
    /** Acked by the caller, not written yet; guarded by this. */
    private final TreeSet<Long> waiting = new TreeSet<>();
    private boolean flushScheduled;

    Unsettled(Channel channel, long holdNanos, Consumer<Unsettled> scheduleFlush) {
        this.channel = channel;
        this.holdNanos = holdNanos;
        this.scheduleFlush = scheduleFlush;
    }

    Channel channel() {
        return channel;
    }

    synchronized void delivered(long tag) {
        unsettled.put(tag, System.nanoTime());
    }

    /** Writes the ack of {@code tag} now, together with acks waiting just above it. */
    synchronized void ack(long tag) throws IOException {
        if (!unsettled.containsKey(tag)) {
            channel.basicAck(tag, false); // not ours to judge (settled twice?): the broker says
            return;
        }
        waiting.add(tag);
        if (!writeAckedPrefix()) {
            waiting.remove(tag);
            unsettled.remove(tag);
            channel.basicAck(tag, false);
        }
    }

    /** Acks these tags: written now where they complete a prefix of the unsettled, otherwise soon. */
    synchronized void ackAll(long[] tags) throws IOException {
        for (long t : tags) {
            if (unsettled.containsKey(t)) {
                waiting.add(t);
            } else {
                channel.basicAck(t, false);
            }
        }
        writeAckedPrefix();
        if (waiting.isEmpty()) {
            return;
        }
        Map.Entry<Long, Long> lowest = unsettled.firstEntry(); // not acked: otherwise it was written above
        if (System.nanoTime() - lowest.getValue() > holdNanos) {
            writeWaitingOneByOne(); // what they wait for is held for long
        } else if (!flushScheduled) {
            flushScheduled = true;
            scheduleFlush.accept(this);
        }
    }

    synchronized void reject(long tag, boolean requeue) throws IOException {
        waiting.remove(tag);
        unsettled.remove(tag);
        channel.basicReject(tag, requeue);
        writeAckedPrefix(); // it may have been what acks waited for
    }

    /** Writes every ack still waiting: the time they may wait is up, or the transport closes. */
    synchronized void flush() throws IOException {
        flushScheduled = false;
        writeAckedPrefix();
        writeWaitingOneByOne();
    }

    /** Acks given and not written yet. */
    synchronized int waiting() {
        return waiting.size();
    }

    synchronized int size() {
        return unsettled.size();
    }

    /** Writes one ack for the unsettled tags from the lowest up that are all acked; whether there were any. */
    private boolean writeAckedPrefix() throws IOException {
        long last = -1;
        int count = 0;
        for (Long t : unsettled.keySet()) {
            if (!waiting.contains(t)) {
                break;
            }
            last = t;
            count++;
        }
        if (count == 0) {
            return false;
        }
        unsettled.headMap(last, true).clear();
        waiting.headSet(last, true).clear();
        channel.basicAck(last, count > 1);
        return true;
    }

    private void writeWaitingOneByOne() throws IOException {
        for (Iterator<Long> it = waiting.iterator(); it.hasNext(); ) {
            long t = it.next();
            it.remove();
            unsettled.remove(t);
            channel.basicAck(t, false);
        }
    }
}
