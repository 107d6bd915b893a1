package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.rabbitmq.client.Channel;

/** Which frames settle what: a multiple ack only ever covers tags that were all acked. */
class UnsettledTest {

    private static final long HOLD = TimeUnit.MILLISECONDS.toNanos(200);

    /** The settlements written, as "ack 3", "ack 5+" (multiple) or "reject 4 requeue". */
    private final List<String> written = new ArrayList<>();
    private final List<Unsettled> flushesAsked = new ArrayList<>();
    private final Channel channel = (Channel) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Channel.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "basicAck" -> written.add("ack " + args[0] + ((Boolean) args[1] ? "+" : ""));
                    case "basicReject" -> written.add("reject " + args[0] + ((Boolean) args[1] ? " requeue" : ""));
                    default -> throw new UnsupportedOperationException(method.getName());
                }
                return null;
            });
    private final Unsettled unsettled = new Unsettled(channel, HOLD, flushesAsked::add);

    private void deliver(long... tags) {
        for (long t : tags) {
            unsettled.delivered(t);
        }
    }

    @Test
    void acksOfTheLowestUnsettledTagsGoAsOneMultipleAck() throws Exception {
        deliver(1, 2, 3, 4, 5);

        unsettled.ackAll(new long[] {3, 1, 2});

        assertThat(written).containsExactly("ack 3+");
        assertThat(unsettled.size()).isEqualTo(2);
        assertThat(flushesAsked).isEmpty();
    }

    @Test
    void acksAboveAHeldTagWaitForItAndThenGoWithIt() throws Exception {
        deliver(1, 2, 3, 4, 5, 6);

        unsettled.ackAll(new long[] {2, 3, 5});
        assertThat(written).isEmpty();
        assertThat(unsettled.waiting()).isEqualTo(3);
        assertThat(flushesAsked).containsExactly(unsettled);

        unsettled.ackAll(new long[] {1, 6});
        // 1, 2, 3 together; 5 still waits for 4
        assertThat(written).containsExactly("ack 3+");
        assertThat(unsettled.waiting()).isEqualTo(2);

        unsettled.ack(4);
        assertThat(written).containsExactly("ack 3+", "ack 6+");
        assertThat(unsettled.size()).isZero();
        assertThat(flushesAsked).hasSize(1);
    }

    @Test
    void aFlushWritesWhatStillWaitsOneByOne() throws Exception {
        deliver(1, 2, 3, 4);
        unsettled.ackAll(new long[] {2, 4});

        unsettled.flush();

        assertThat(written).containsExactly("ack 2", "ack 4");
        assertThat(unsettled.size()).isEqualTo(2);
        assertThat(unsettled.waiting()).isZero();
    }

    @Test
    void acksDoNotWaitForATagHeldLongerThanTheHold() throws Exception {
        deliver(1);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(HOLD) + 50);
        deliver(2, 3);

        unsettled.ackAll(new long[] {2, 3});

        assertThat(written).containsExactly("ack 2", "ack 3");
        assertThat(flushesAsked).isEmpty();
    }

    @Test
    void aSingleAckIsWrittenAtOnceTakingTheAcksWaitingAboveIt() throws Exception {
        deliver(1, 2, 3, 4);
        unsettled.ack(3);
        assertThat(written).containsExactly("ack 3");

        unsettled.ackAll(new long[] {2, 4});
        unsettled.ack(1);

        // 1 and 2; 3 was settled, 4 with them: one multiple ack up to 4
        assertThat(written).containsExactly("ack 3", "ack 4+");
    }

    @Test
    void aRejectIsWrittenAtOnceAndFreesTheAcksThatWaitedForIt() throws Exception {
        deliver(1, 2, 3);
        unsettled.ackAll(new long[] {2, 3});

        unsettled.reject(1, true);

        assertThat(written).containsExactly("reject 1 requeue", "ack 3+");
        assertThat(unsettled.size()).isZero();
    }

    @Test
    void aTagNotUnsettledHereIsAckedOnItsOwn() throws Exception {
        deliver(5, 6);

        unsettled.ackAll(new long[] {4, 5});

        assertThat(written).containsExactly("ack 4", "ack 5");
    }
}
