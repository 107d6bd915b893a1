package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What the transport leaves on SQS, read with the SDK directly: kombu's names, bodies and FIFO ids. */
class SqsKombuLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    private SqsClient raw;
    private final List<Transport> opened = new ArrayList<>();

    @BeforeEach
    void rawClient() {
        raw = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .endpointOverride(URI.create(SQS.endpoint())).build();
    }

    @AfterEach
    void close() {
        opened.forEach(Transport::close);
        raw.close();
    }

    private Transport open(Map<String, String> options) {
        Transport t = new SqsTransportFactory().open(SQS.url(), options);
        opened.add(t);
        return t;
    }

    @Test
    void publishesBase64OfKombuEnvelopeToPrefixedQueueWithDotsAsDashes() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Transport t = open(Map.of("queue_name_prefix", "app."));
        t.publish("feeds." + id, message("{\"x\": 1}", Map.of("priority", 0, "correlation_id", "c1")));

        String url = raw.getQueueUrl(r -> r.queueName("app-feeds-" + id)).queueUrl();
        software.amazon.awssdk.services.sqs.model.Message m = raw.receiveMessage(r -> r.queueUrl(url)).messages()
                .get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> envelope = JSON.readValue(Base64.getDecoder().decode(m.body()), Map.class);

        assertThat(envelope).containsEntry("content-type", "application/json")
                .containsEntry("content-encoding", "utf-8");
        assertThat(new String(Base64.getDecoder().decode((String) envelope.get("body")), StandardCharsets.UTF_8))
                .isEqualTo("{\"x\": 1}");
        assertThat(envelope.get("properties")).isInstanceOfSatisfying(Map.class, p -> {
            assertThat(p).containsEntry("body_encoding", "base64").containsEntry("correlation_id", "c1")
                    .containsEntry("delivery_info", Map.of("exchange", "", "routing_key", "feeds." + id));
            assertThat(p.get("delivery_tag")).isInstanceOf(String.class);
        });
    }

    @Test
    void createdQueueCarriesTheVisibilityTimeout() {
        Transport t = open(Map.of("visibility_timeout", "123"));
        String q = "vt-" + UUID.randomUUID();
        t.declare(q);

        String url = raw.getQueueUrl(r -> r.queueName(q)).queueUrl();
        assertThat(raw.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
                .attributes()).containsEntry(QueueAttributeName.VISIBILITY_TIMEOUT, "123");
        assertThat(t.visibilityTimeout()).isEqualTo(Duration.ofSeconds(123));
    }

    @Test
    void heldMessagesAreHandedBackWithinSqsTwelveHourLimit() {
        assertThat(open(Map.of()).maxHold()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void readsKombuEnvelopeSentWithoutBase64() throws Exception {
        Transport t = open(Map.of());
        String q = "plain-" + UUID.randomUUID();
        t.declare(q);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("body", "[[1], {}, {}]");
        envelope.put("content-encoding", "utf-8");
        envelope.put("content-type", "application/json");
        envelope.put("headers", Map.of("task", "demo.echo", "id", "t1"));
        envelope.put("properties", Map.of("delivery_info", Map.of("exchange", "", "routing_key", q)));
        String url = raw.getQueueUrl(r -> r.queueName(q)).queueUrl();
        String body = toJson(envelope);
        raw.sendMessage(r -> r.queueUrl(url).messageBody(body));

        List<Delivery> got = t.receive(List.of(q), 1, Duration.ofSeconds(5));

        assertThat(got).hasSize(1);
        assertThat(got.get(0).message().headers()).containsEntry("task", "demo.echo");
        assertThat(new String(got.get(0).message().body(), StandardCharsets.UTF_8)).isEqualTo("[[1], {}, {}]");
    }

    @Test
    void fifoQueueGetsKombuGroupAndDeduplicationIds() {
        Transport t = open(Map.of());
        String q = "jobs." + UUID.randomUUID().toString().substring(0, 8) + ".fifo";
        t.publish(q, message("a", Map.of()));
        t.publish(q, message("b", Map.of("MessageGroupId", "g1", "MessageDeduplicationId", "d1")));
        t.publish(q, message("b again", Map.of("MessageGroupId", "g1", "MessageDeduplicationId", "d1")));

        String url = raw.getQueueUrl(r -> r.queueName(QueueNames.sqsName("", q))).queueUrl();
        List<software.amazon.awssdk.services.sqs.model.Message> got = raw.receiveMessage(r -> r.queueUrl(url)
                .maxNumberOfMessages(10).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();

        assertThat(QueueNames.sqsName("", q)).endsWith(".fifo").doesNotContain("jobs.");
        assertThat(got).extracting(m -> m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .containsExactlyInAnyOrder("default", "g1");
        assertThat(got).extracting(m -> m.attributes().get(MessageSystemAttributeName.MESSAGE_DEDUPLICATION_ID))
                .contains("d1");
    }

    @Test
    void fifoQueueKeepsOrderAcrossBatches() throws Exception {
        Transport t = open(Map.of("visibility_timeout", "30", "wait_time_seconds", "1"));
        String q = "ordered-" + UUID.randomUUID().toString().substring(0, 8) + ".fifo";
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            batch.add(message("m" + i, Map.of()));
        }
        t.publishAll(q, batch);

        List<String> bodies = new ArrayList<>();
        for (int round = 0; round < 20 && bodies.size() < 25; round++) {
            List<Delivery> got = t.receive(List.of(q), 10, Duration.ofSeconds(2));
            got.forEach(d -> bodies.add(new String(d.message().body(), StandardCharsets.UTF_8)));
            t.ackAll(got);
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            expected.add("m" + i);
        }
        assertThat(bodies).containsExactlyElementsOf(expected);
    }

    @Test
    void predefinedQueuesAreUsedAsGivenAndNoOtherIsCreated() throws Exception {
        String name = "pre-" + UUID.randomUUID();
        String url = raw.createQueue(r -> r.queueName(name)).queueUrl();
        Transport t = open(Map.of("predefined_queues", "{\"" + name + "\": {\"url\": \"" + url + "\"}}"));

        t.publish(name, message("x", Map.of()));

        assertThat(t.receive(List.of(name), 1, Duration.ofSeconds(5))).hasSize(1);
        assertThatThrownBy(() -> t.declare("other")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predefined_queues");
        assertThat(raw.listQueues(r -> r.queueNamePrefix("other")).queueUrls()).isEmpty();
    }

    @Test
    void broadcastsAndSubscriptionsSaySqsHasNoFanout() {
        Transport t = open(Map.of());
        Message m = message("x", Map.of());

        assertThatThrownBy(() -> t.broadcast("celery.pidbox", m)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("SQS has no fanout");
        assertThatThrownBy(() -> t.subscribe("celery.pidbox", x -> { })).isInstanceOf(
                UnsupportedOperationException.class).hasMessageContaining("remote control");
        assertThatThrownBy(() -> t.publishTopic("celeryev", "task.sent", m)).isInstanceOf(
                UnsupportedOperationException.class).hasMessageContaining("events");
        assertThatThrownBy(() -> t.subscribeDirect("reply.celery.pidbox", "k", "q", x -> { })).isInstanceOf(
                UnsupportedOperationException.class);
    }

    @Test
    void unreachableEndpointGivesOneTransportErrorNamingIt() {
        Transport t = new SqsTransportFactory().open("sqs://k:s@127.0.0.1:" + ElasticMq.freePort(SQS.port() + 1),
                Map.of());
        opened.add(t);

        assertThatThrownBy(() -> t.declare("celery"))
                .isInstanceOf(org.celeriac.spi.transport.TransportException.class)
                .hasMessageContaining("127.0.0.1").hasMessageNotContaining("s@");
    }

    private static Message message(String body, Map<String, Object> properties) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", UUID.randomUUID().toString(), "task", "demo.echo"), properties);
    }

    private static String toJson(Object o) throws Exception {
        return JSON.writeValueAsString(o);
    }
}
