package org.celeriac.transport.amqp;

import java.util.Iterator;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The delivery tags a consuming channel delivered and this transport has not settled, so that a batch of acks can
 * go as one {@code basic.ack} with {@code multiple} when that covers exactly the batch: the broker settles with it
 * every unsettled tag of the channel up to the one given, which is only right when each of those is in the batch.
 *
 * <p>A tag is added when it is delivered (deliveries come in tag order) and removed only after its settlement was
 * written to the channel, so a tag settled one by one on another thread cannot also be covered by a multiple ack
 * sent after it.
 */
final class Unsettled {

    private final ConcurrentSkipListSet<Long> tags = new ConcurrentSkipListSet<>();

    void delivered(long tag) {
        tags.add(tag);
    }

    /** After the settlement of {@code tag} was written. */
    void settled(long tag) {
        tags.remove(tag);
    }

    /**
     * Whether {@code sorted} (ascending, distinct) is exactly the unsettled tags up to its last one: then one
     * {@code basic.ack(last, multiple=true)} settles these and nothing else.
     */
    boolean coversExactly(long[] sorted) {
        if (sorted.length == 0) {
            return false;
        }
        long last = sorted[sorted.length - 1];
        int i = 0;
        for (Iterator<Long> it = tags.iterator(); it.hasNext(); ) {
            long t = it.next();
            if (t > last) {
                break;
            }
            if (i == sorted.length || t != sorted[i]) {
                return false;
            }
            i++;
        }
        return i == sorted.length;
    }

    int size() {
        return tags.size();
    }
}
