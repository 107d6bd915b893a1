package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SqsSettingsTest {

    @Test
    void bareUrlUsesKombuDefaultsAndTheSdkCredentialChain() {
        SqsSettings s = SqsSettings.parse("sqs://", Map.of());

        assertThat(s.hasUrlCredentials()).isFalse();
        assertThat(s.endpoint()).isNull();
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.visibilityTimeout()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(s.waitTimeSeconds()).isEqualTo(10);
        assertThat(s.pollingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.queueNamePrefix()).isEmpty();
        assertThat(s.predefinedQueues()).isEmpty();
    }

    @Test
    void urlEncodedKeyAndSecretAreDecoded() {
        SqsSettings s = SqsSettings.parse("sqs://AKIA%2B1:se%2Fcr%2Bet@", Map.of());

        assertThat(s.accessKey()).isEqualTo("AKIA+1");
        assertThat(s.secretKey()).isEqualTo("se/cr+et");
        assertThat(s.hasUrlCredentials()).isTrue();
    }

    @Test
    void secretNeverAppearsInToString() {
        SqsSettings s = SqsSettings.parse("sqs://key:topsecret@", Map.of());

        assertThat(s.toString()).doesNotContain("topsecret").doesNotContain("key:");
    }

    @Test
    void hostInUrlIsTheEndpointAsKombuMakesIt() {
        assertThat(SqsSettings.parse("sqs://k:s@127.0.0.1:9324", Map.of()).endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:9324"));
        assertThat(SqsSettings.parse("sqs://k:s@sqs.local", Map.of("is_secure", "true")).endpoint())
                .isEqualTo(URI.create("https://sqs.local"));
    }

    @Test
    void endpointUrlOptionWinsOverTheHost() {
        SqsSettings s = SqsSettings.parse("sqs://k:s@ignored:1", Map.of("endpoint_url", "http://127.0.0.1:57500"));

        assertThat(s.endpoint()).isEqualTo(URI.create("http://127.0.0.1:57500"));
    }

    @Test
    void optionsComeFromSettingsAndUrlQueryWins() {
        SqsSettings s = SqsSettings.parse("sqs://?visibility_timeout=60&region=eu-west-1", Map.of(
                "visibility_timeout", "30", "wait_time_seconds", "20", "polling_interval", "0.5",
                "queue_name_prefix", "prod-", "region", "us-west-2"));

        assertThat(s.visibilityTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(s.waitTimeSeconds()).isEqualTo(20);
        assertThat(s.pollingInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.queueNamePrefix()).isEqualTo("prod-");
    }

    @Test
    void predefinedQueuesAreReadAsKombuWritesThem() {
        SqsSettings s = SqsSettings.parse("sqs://", Map.of("predefined_queues",
                "{\"celery\": {\"url\": \"https://sqs.us-east-1.amazonaws.com/1/celery\"},"
                        + " \"jobs.fifo\": {\"url\": \"https://sqs.us-east-1.amazonaws.com/1/jobs.fifo\"}}"));

        assertThat(s.predefinedQueues()).containsEntry("celery", "https://sqs.us-east-1.amazonaws.com/1/celery")
                .containsEntry("jobs.fifo", "https://sqs.us-east-1.amazonaws.com/1/jobs.fifo");
    }

    @Test
    void predefinedFifoQueueWithoutFifoUrlIsRefused() {
        assertThatThrownBy(() -> SqsSettings.parse("sqs://", Map.of("predefined_queues",
                "{\"jobs.fifo\": {\"url\": \"https://sqs.us-east-1.amazonaws.com/1/jobs\"}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jobs.fifo");
    }

    @Test
    void waitTimeBeyondSqsLimitIsRefused() {
        assertThatThrownBy(() -> SqsSettings.parse("sqs://", Map.of("wait_time_seconds", "21")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait_time_seconds");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> SqsSettings.parse("redis://localhost", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sqs://");
    }
}
