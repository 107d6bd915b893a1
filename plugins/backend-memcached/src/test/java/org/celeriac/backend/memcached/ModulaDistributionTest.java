package org.celeriac.backend.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ModulaDistributionTest {
    @Test
    void hashesAsLibmemcachedsOneAtATime() {
        // Bob Jenkins's one-at-a-time of "a" and of "The quick brown fox jumps over the lazy dog"
        assertThat(Integer.toUnsignedString(ModulaDistribution.oneAtATime("a".getBytes(StandardCharsets.US_ASCII)),
                16)).isEqualTo("ca2e9442");
        assertThat(Integer.toUnsignedString(ModulaDistribution.oneAtATime(
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII)), 16))
                .isEqualTo("519e91f5");
    }

    @Test
    void oneServerHoldsEveryKey() {
        assertThat(ModulaDistribution.serverFor("celery-task-meta-x", 1)).isZero();
    }
}
