package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnsettledTest {

    private final Unsettled unsettled = new Unsettled();

    private void deliver(long... tags) {
        for (long t : tags) {
            unsettled.delivered(t);
        }
    }

    @Test
    void aBatchOfTheLowestUnsettledTagsIsCoveredByOneMultipleAck() {
        deliver(1, 2, 3, 4, 5);

        assertThat(unsettled.coversExactly(new long[] {1, 2, 3})).isTrue();
        assertThat(unsettled.coversExactly(new long[] {1, 2, 3, 4, 5})).isTrue();
    }

    @Test
    void aLowerOrInBetweenTagStillHeldIsNotCovered() {
        deliver(1, 2, 3, 4, 5);

        assertThat(unsettled.coversExactly(new long[] {2, 3})).as("1 is held").isFalse();
        assertThat(unsettled.coversExactly(new long[] {1, 3})).as("2 is held").isFalse();
        assertThat(unsettled.coversExactly(new long[] {4, 5})).isFalse();
    }

    @Test
    void tagsSettledBeforeDoNotCount() {
        deliver(1, 2, 3, 4, 5, 6);
        unsettled.settled(1);
        unsettled.settled(3);

        assertThat(unsettled.coversExactly(new long[] {2, 4})).isTrue();
        assertThat(unsettled.coversExactly(new long[] {2, 5})).as("4 is held").isFalse();
    }

    @Test
    void aTagNotUnsettledHereIsNotCovered() {
        deliver(5, 6);

        assertThat(unsettled.coversExactly(new long[] {4, 5})).as("4 is of another channel life").isFalse();
        assertThat(unsettled.coversExactly(new long[] {5, 6, 7})).isFalse();
        assertThat(unsettled.coversExactly(new long[0])).isFalse();
    }
}
