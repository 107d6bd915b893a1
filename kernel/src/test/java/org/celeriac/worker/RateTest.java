package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateTest {

    @Test
    void readsCeleryRateLimitStrings() {
        assertThat(Rate.perSecond("10/s")).isEqualTo(10);
        assertThat(Rate.perSecond("120/m")).isEqualTo(2);
        assertThat(Rate.perSecond("1800/h")).isEqualTo(0.5);
        assertThat(Rate.perSecond("1/m")).isCloseTo(1 / 60.0, within(1e-12));
        assertThat(Rate.perSecond("4")).as("a plain number is per second").isEqualTo(4);
        assertThat(Rate.perSecond(" 0.5 / s ")).isEqualTo(0.5);
    }

    @Test
    void emptyAndZeroMeanNoLimit() {
        assertThat(Rate.perSecond(null)).isZero();
        assertThat(Rate.perSecond("")).isZero();
        assertThat(Rate.perSecond("0")).isZero();
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> Rate.perSecond("10/d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10/d");
        assertThatThrownBy(() -> Rate.perSecond("fast")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rate.perSecond("-1/s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DispatchOptions.defaults().withDefaultRateLimit("lots"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
