package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueueNamesTest {

    @Test
    void dotsBecomeDashesAndOtherPunctuationUnderscores() {
        assertThat(QueueNames.sqsName("", "celery")).isEqualTo("celery");
        assertThat(QueueNames.sqsName("", "feeds.high")).isEqualTo("feeds-high");
        assertThat(QueueNames.sqsName("", "a-b_c:d@e/f")).isEqualTo("a-b_c_d_e_f");
    }

    @Test
    void prefixGoesFirstAndIsTranslatedToo() {
        assertThat(QueueNames.sqsName("prod.", "celery")).isEqualTo("prod-celery");
    }

    @Test
    void fifoEndingIsKept() {
        assertThat(QueueNames.sqsName("app.", "jobs.high.fifo")).isEqualTo("app-jobs-high.fifo");
        assertThat(QueueNames.isFifo("app-jobs-high.fifo")).isTrue();
        assertThat(QueueNames.isFifo("celery")).isFalse();
    }
}
