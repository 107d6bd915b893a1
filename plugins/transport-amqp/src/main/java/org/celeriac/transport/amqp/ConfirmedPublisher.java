package org.celeriac.transport.amqp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * Publishing with publisher confirms on one channel, shared by every thread that publishes: a publish holds the
 * channel only while it writes its messages, notes their sequence numbers, and then waits for the broker's confirms
 * of those alone. Threads that publish at the same time thus have their messages in flight together, and the
 * broker confirms them together (it confirms persistent messages once they are on disk, and writes to disk what
 * came in at once with one sync), where one lock held until each confirm came would make them take turns.
 *
 * <p>What the broker sends back:
 * <ul>
 * <li>{@code basic.ack}/{@code basic.nack}, {@code multiple} for every sequence number up to the one given: the
 *     publish whose messages are all acked returns, one nacked fails it;</li>
 * <li>{@code basic.return} of a mandatory message it could not route, before the confirm of that message. It names no
 *     sequence number: it is matched to the earliest message in flight to the same exchange and routing key with the
 *     same body not matched yet. Returns come in the order the messages were published, so this is the message, or
 *     one of the same content published before it that is still unconfirmed, which comes to the same: the publish
 *     that gets the return sends that content again;</li>
 * <li>the channel closing (connection lost, or the broker closing it on an error): every publish in flight fails,
 *     as its messages may or may not have arrived, and the caller may try again.</li>
 * </ul>
 * The next publish after a channel closed for good opens another one; one closed with the connection comes back
 * with the connection's recovery (and its sequence numbers start again, hence nothing is kept in flight across it).
 */
final class ConfirmedPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);

    private final Connection connection;
    private final long timeoutNanos;
    /** Held while a channel is opened or written to, and a sequence number taken. */
    private final Object lock = new Object();
    private Channel channel;
    private Confirms confirms;

    ConfirmedPublisher(Connection connection, long timeoutMillis) {
        this.connection = connection;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /**
     * Publishes the messages to {@code exchange} with {@code routingKey}, in order, and waits until the broker
     * confirmed each of them.
     *
     * @return the indexes of the messages the broker returned as unroutable (only with {@code mandatory}), in order
     * @throws IOException          when the broker nacked a message, or the channel closed before every confirm
     *                              came (the cause says why); the messages may or may not have arrived
     * @throws TimeoutException     when the confirms did not all come within the confirm timeout
     * @throws InterruptedException when interrupted while waiting for them
     */
    List<Integer> publish(String exchange, String routingKey, boolean mandatory,
                          List<AMQP.BasicProperties> properties, List<byte[]> bodies)
            throws IOException, TimeoutException, InterruptedException {
        Batch batch = new Batch(exchange, routingKey, bodies);
        Confirms tracking;
        synchronized (lock) {
            Channel ch = channel();
            tracking = confirms;
            for (int i = 0; i < bodies.size(); i++) {
                long seq = ch.getNextPublishSeqNo();
                // in flight before it is written: its confirm can come before basicPublish returns
                tracking.inFlight.put(seq, new InFlight(batch, i));
                batch.seqs[i] = seq;
                try {
                    ch.basicPublish(exchange, routingKey, mandatory, properties.get(i), bodies.get(i));
                } catch (IOException | RuntimeException e) {
                    tracking.forget(batch, i + 1);
                    throw e;
                }
            }
        }
        try {
            return batch.await(System.nanoTime() + timeoutNanos);
        } finally {
            if (!batch.done()) {
                tracking.forget(batch, bodies.size()); // timed out or interrupted: late confirms are ignored
            }
        }
    }

    /** The open publishing channel, in confirm mode; under {@link #lock}. */
    private Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            Channel ch = connection.createChannel();
            if (ch == null) {
                throw new IOException("no channel available on the connection");
            }
            Confirms c = new Confirms();
            ch.addConfirmListener(c);
            ch.addReturnListener(c);
            ch.addShutdownListener(c);
            ch.confirmSelect();
            if (channel != null) {
                confirms.failAll(new IOException("the publishing channel closed"));
            }
            channel = ch;
            confirms = c;
        }
        return channel;
    }

    /** One call's messages: which are confirmed, returned, nacked. */
    private static final class Batch {
        final String exchange;
        final String routingKey;
        final List<byte[]> bodies;
        final long[] seqs;
        /** Guarded by this. */
        private int unconfirmed;
        private final boolean[] returned;
        private boolean nacked;
        private Throwable failure;

        Batch(String exchange, String routingKey, List<byte[]> bodies) {
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.bodies = bodies;
            this.seqs = new long[bodies.size()];
            this.returned = new boolean[bodies.size()];
            this.unconfirmed = bodies.size();
        }

        synchronized void returned(int index) {
            returned[index] = true;
        }

        synchronized void confirmed(boolean ack) {
            if (!ack) {
                nacked = true;
            }
            if (--unconfirmed == 0) {
                notifyAll();
            }
        }

        synchronized void fail(Throwable why) {
            if (failure == null) {
                failure = why;
            }
            notifyAll();
        }

        synchronized boolean done() {
            return unconfirmed == 0 || failure != null;
        }

        synchronized List<Integer> await(long deadline) throws IOException, TimeoutException, InterruptedException {
            while (unconfirmed > 0 && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(unconfirmed + " of " + seqs.length
                            + " message(s) not confirmed by the broker in time");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (failure != null) {
                String why = failure instanceof ShutdownSignalException s ? "the channel closed: " + s.getMessage()
                        : String.valueOf(failure.getMessage());
                throw new IOException("not confirmed by the broker (" + why + ")", failure);
            }
            if (nacked) {
                throw new IOException("the broker refused (nacked) a message");
            }
            List<Integer> back = new ArrayList<>(0);
            for (int i = 0; i < returned.length; i++) {
                if (returned[i]) {
                    back.add(i);
                }
            }
            return back;
        }
    }

    /** A message published and not confirmed yet. {@code returned} is written on the connection's thread only. */
    private static final class InFlight {
        final Batch batch;
        final int index;
        boolean returned;

        InFlight(Batch batch, int index) {
            this.batch = batch;
            this.index = index;
        }
    }

    /** The messages in flight on one channel, and the listeners that settle them (on the connection's thread). */
    private static final class Confirms implements ConfirmListener, ReturnListener, ShutdownListener {
        final ConcurrentSkipListMap<Long, InFlight> inFlight = new ConcurrentSkipListMap<>();

        @Override
        public void handleAck(long seq, boolean multiple) {
            confirm(seq, multiple, true);
        }

        @Override
        public void handleNack(long seq, boolean multiple) {
            confirm(seq, multiple, false);
        }

        private void confirm(long seq, boolean multiple, boolean ack) {
            if (multiple) {
                Map.Entry<Long, InFlight> e;
                while ((e = inFlight.firstEntry()) != null && e.getKey() <= seq) {
                    if (inFlight.remove(e.getKey(), e.getValue())) {
                        e.getValue().batch.confirmed(ack);
                    }
                }
            } else {
                InFlight f = inFlight.remove(seq);
                if (f != null) {
                    f.batch.confirmed(ack);
                }
            }
        }

        @Override
        public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
                                 AMQP.BasicProperties properties, byte[] body) {
            for (InFlight f : inFlight.values()) {
                Batch b = f.batch;
                if (!f.returned && b.exchange.equals(exchange) && b.routingKey.equals(routingKey)
                        && Arrays.equals(b.bodies.get(f.index), body)) {
                    f.returned = true;
                    b.returned(f.index);
                    return;
                }
            }
            LOG.warn("The broker returned a message to {} ({} {}) that no publish waits for", routingKey, replyCode,
                    replyText);
        }

        @Override
        public void shutdownCompleted(ShutdownSignalException cause) {
            failAll(cause);
        }

        void failAll(Throwable why) {
            Map.Entry<Long, InFlight> e;
            while ((e = inFlight.pollFirstEntry()) != null) {
                e.getValue().batch.fail(why);
            }
        }

        /** Stops waiting for the first {@code count} messages of a batch. */
        void forget(Batch batch, int count) {
            for (int i = 0; i < count; i++) {
                InFlight f = inFlight.get(batch.seqs[i]);
                if (f != null && f.batch == batch) {
                    inFlight.remove(batch.seqs[i], f);
                }
            }
        }
    }

    /** How many messages wait for their confirm (for tests: none once every publish returned). */
    int inFlight() {
        synchronized (lock) {
            return confirms == null ? 0 : confirms.inFlight.size();
        }
    }
}
