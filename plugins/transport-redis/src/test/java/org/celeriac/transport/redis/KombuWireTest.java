package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * Our envelopes and keys against the captures of Celery 5.2.6 / kombu 5.2.4 on Redis
 * (src/test/resources/celery-wire, copied from /work/shared/celery-wire).
 */
class KombuWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sample(String file) throws IOException {
        try (InputStream in = KombuWireTest.class.getResourceAsStream("/celery-wire/" + file)) {
            return (Map<String, Object>) JSON.readValue(in, Map.class).get("sample");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** The Message a Celery producer meant when it sent the captured envelope. */
    private static Message messageOf(Map<String, Object> envelope) {
        Map<String, Object> properties = new LinkedHashMap<>(map(envelope.get("properties")));
        properties.keySet().removeAll(Set.of("body_encoding", "delivery_tag", "delivery_info"));
        return new Message(Base64.getDecoder().decode((String) envelope.get("body")),
                (String) envelope.get("content-type"), (String) envelope.get("content-encoding"),
                map(envelope.get("headers")), properties);
    }

    /** Both encoders: the map one for queued messages, the streaming one for events. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void encodesTheCapturedEnvelope(boolean streaming) throws Exception {
        Map<String, Object> captured = sample("redis-task-basic.json");
        captured.remove("body_decoded");
        Message m = messageOf(captured);
        String raw = streaming ? new String(Envelope.encodeBytes(m, "", "celery"), StandardCharsets.UTF_8)
                : Envelope.toJson(Envelope.encode(m, "", "celery"));

        Map<String, Object> ours = JSON.readValue(raw, Map.class);

        assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(captured.keySet());
        assertThat(ours.get("body")).isEqualTo(captured.get("body"));
        assertThat(ours.get("headers")).isEqualTo(captured.get("headers"));
        Map<String, Object> ourProps = map(ours.get("properties"));
        Map<String, Object> theirProps = map(captured.get("properties"));
        assertThat(ourProps.keySet()).containsExactlyInAnyOrderElementsOf(theirProps.keySet());
        assertThat(ourProps.get("delivery_info")).isEqualTo(theirProps.get("delivery_info"));
        assertThat(ourProps.get("body_encoding")).isEqualTo("base64");
        assertThat(UUID.fromString((String) ourProps.get("delivery_tag"))).isNotNull();
        ourProps.keySet().removeAll(Set.of("delivery_tag"));
        theirProps.keySet().removeAll(Set.of("delivery_tag"));
        assertThat(ourProps).isEqualTo(theirProps);
    }

    @Test
    void decodesTheCapturedEnvelope() throws Exception {
        Map<String, Object> captured = sample("redis-task-options.json");
        Map<String, Object> envelope = map(captured.get("envelope"));
        envelope.remove("body_decoded");

        Envelope.Decoded d = Envelope.decode(JSON.writeValueAsString(envelope));

        Message m = d.message();
        assertThat(new String(m.body(), StandardCharsets.UTF_8))
                .isEqualTo("[[\"\\u00fc\", {\"k\": [1, null]}], {\"x\": true}, {\"callbacks\": null, \"errbacks\": null,"
                        + " \"chain\": null, \"chord\": null}]");
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.taskId()).isEqualTo("03e45b3b-4d13-42a0-9d4e-7852e03958ab");
        assertThat(m.headers()).containsEntry("timelimit", List.of(30, 20)).containsEntry("task", "demo.echo");
        assertThat(m.priority()).isEqualTo(5);
        assertThat(m.properties()).containsEntry("expiration", "60000");
        assertThat(d.deliveryTag()).isEqualTo("db335f9a-38c3-4b20-889a-fb7975c358a6");
        assertThat(d.redelivered()).isFalse();
    }

    @Test
    void deliveryTagsAreRandomVersionFourUuids() {
        Set<String> tags = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String tag = Envelope.newDeliveryTag();
            assertThat(tag).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            tags.add(tag);
        }
        assertThat(tags).hasSize(1000);
    }

    @Test
    void priorityListKeysAreKombus() {
        // redis-task-options.json: priority 5 -> 'celery\x06\x163'
        assertThat(RedisTransport.listKey("celery", 5)).isEqualTo("celery\u0006\u00163");
        assertThat(RedisTransport.listKey("celery", 0)).isEqualTo("celery");
        assertThat(RedisTransport.listKey("celery", 2)).isEqualTo("celery");
        assertThat(RedisTransport.listKey("celery", 9)).isEqualTo("celery\u0006\u00169");
        assertThat(RedisTransport.listKey("celery", 42)).isEqualTo("celery\u0006\u00169");
    }

    @Test
    void parsesUrlsWithoutShowingPasswords() {
        RedisUrl u = RedisUrl.parse("rediss://:s%40cret@example.org:6380/3?visibility_timeout=7&socket_timeout=1.5",
                Map.of("visibility_timeout", "99", "socket_connect_timeout", "2"), 64);
        assertThat(u.ssl()).isTrue();
        assertThat(u.host()).isEqualTo("example.org");
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.db()).isEqualTo(3);
        assertThat(u.password()).isEqualTo("s@cret");
        assertThat(RedisTransport.visibilityTimeoutOf(u)).isEqualTo(Duration.ofSeconds(7));
        assertThat(u.socketTimeoutMillis()).isEqualTo(1500);
        assertThat(u.connectTimeoutMillis()).isEqualTo(2000);
        assertThat(u.toString()).doesNotContain("cret");
        assertThat(RedisTransport.visibilityTimeoutOf(RedisUrl.parse("redis://localhost", Map.of(), 64)))
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void receivesWhatCeleryPushedAndKeepsKombusUnackedForm() throws Exception {
        Map<String, Object> captured = sample("redis-task-options.json");
        Map<String, Object> envelope = map(captured.get("envelope"));
        envelope.remove("body_decoded");
        String queue = "wire-" + UUID.randomUUID();
        map(map(envelope.get("properties")).get("delivery_info")).put("routing_key", queue);
        String raw = JSON.writeValueAsString(envelope);
        String tag = (String) map(envelope.get("properties")).get("delivery_tag");

        try (Transport t = new RedisTransportFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            j.lpush(queue + "\u0006\u00163", raw); // where kombu puts priority 5
            List<Delivery> got = t.receive(List.of(queue), 1, Duration.ofSeconds(2));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).queue()).isEqualTo(queue);
            assertThat(got.get(0).message().taskId()).isEqualTo("03e45b3b-4d13-42a0-9d4e-7852e03958ab");

            // redis-unacked-eta.json: unacked[tag] = [envelope, exchange, routing_key], unacked_index[tag] = time
            List<Object> entry = JSON.readValue(j.hget("unacked", tag), List.class);
            assertThat(entry).hasSize(3);
            assertThat(entry.get(0)).isEqualTo(envelope);
            assertThat(entry.subList(1, 3)).containsExactly("", queue);
            Double score = j.zscore("unacked_index", tag);
            assertThat(score).isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(5.0));

            t.reject(got.get(0), true);
            assertThat(j.hexists("unacked", tag)).isFalse();
            assertThat(j.zscore("unacked_index", tag)).isNull();
            Map<String, Object> restored = JSON.readValue(j.lindex(queue + "\u0006\u00163", 0), Map.class);
            assertThat(map(map(restored.get("properties")).get("delivery_info"))).containsEntry("redelivered", true);
            assertThat(map(restored.get("headers"))).containsEntry("redelivered", true);
            assertThat(t.purge(queue)).isEqualTo(1);
        }
    }

    /** JSON as Python's json.dumps writes it by default, with a space after each colon and comma. */
    private static String pythonStyle(Object value) throws IOException {
        return JSON.writer(new com.fasterxml.jackson.core.util.MinimalPrettyPrinter() {
            @Override
            public void writeObjectFieldValueSeparator(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
                g.writeRaw(": ");
            }

            @Override
            public void writeObjectEntrySeparator(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
                g.writeRaw(", ");
            }

            @Override
            public void writeArrayValueSeparator(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
                g.writeRaw(", ");
            }
        }).writeValueAsString(value);
    }

    @Test
    void recordsTagExchangeAndRoutingKeyWhateverTheJsonSpacingOrEscapes() throws Exception {
        Map<String, Object> captured = sample("redis-task-options.json");
        String queue = "wire-" + UUID.randomUUID();
        Map<String, Object> spaced = map(JSON.readValue(JSON.writeValueAsString(captured.get("envelope")), Map.class));
        spaced.remove("body_decoded");
        map(map(spaced.get("properties")).get("delivery_info")).put("routing_key", queue);
        map(spaced.get("properties")).put("delivery_tag", "tag-spaced-" + queue);
        Map<String, Object> escaped = map(JSON.readValue(JSON.writeValueAsString(spaced), Map.class));
        map(map(escaped.get("properties")).get("delivery_info")).put("exchange", "ex\"change\\");
        map(escaped.get("properties")).put("delivery_tag", "tag-escaped-" + queue);

        try (Transport t = new RedisTransportFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            j.lpush(queue, pythonStyle(spaced), JSON.writeValueAsString(escaped));
            List<Delivery> got = t.receive(List.of(queue), 2, Duration.ofSeconds(2));
            assertThat(got).hasSize(2);

            List<Object> fast = JSON.readValue(j.hget("unacked", "tag-spaced-" + queue), List.class);
            assertThat(fast.get(0)).isEqualTo(spaced);
            assertThat(fast.subList(1, 3)).containsExactly("", queue);
            List<Object> slow = JSON.readValue(j.hget("unacked", "tag-escaped-" + queue), List.class);
            assertThat(slow.get(0)).isEqualTo(escaped);
            assertThat(slow.subList(1, 3)).containsExactly("ex\"change\\", queue);
            assertThat(j.zscore("unacked_index", "tag-spaced-" + queue)).isNotNull();
            assertThat(j.zscore("unacked_index", "tag-escaped-" + queue)).isNotNull();
            t.ackAll(got);
            assertThat(j.hexists("unacked", "tag-spaced-" + queue)).isFalse();
            assertThat(j.hexists("unacked", "tag-escaped-" + queue)).isFalse();
        }
    }

    @Test
    void publishesDeclaresAndBroadcastsInKombusLayout() throws Exception {
        String queue = "wire-" + UUID.randomUUID();
        try (Transport t = new RedisTransportFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            t.declare(queue);
            assertThat(j.smembers("_kombu.binding.celery")).contains(queue + "\u0006\u0016\u0006\u0016" + queue);

            Map<String, Object> props = new LinkedHashMap<>();
            props.put("priority", 5);
            t.publish(queue, new Message("[]".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                    Map.of("id", "x"), props));
            assertThat(j.llen(queue + "\u0006\u00163")).isEqualTo(1);
            assertThat(t.size(queue)).isEqualTo(1);
            assertThat(t.purge(queue)).isEqualTo(1);

            List<String> seen = new ArrayList<>();
            Thread listener = new Thread(() -> j.subscribe(new redis.clients.jedis.JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    t.broadcast("celery.pidbox", new Message("{}".getBytes(StandardCharsets.UTF_8),
                            "application/json", "utf-8", Map.of("clock", 1), Map.of()));
                }

                @Override
                public void onMessage(String channel, String message) {
                    seen.add(message);
                    unsubscribe();
                }
            }, "/" + RedisUrl.parse(REDIS.url(), Map.of(), 64).db() + ".celery.pidbox"));
            listener.start();
            listener.join(5_000);
            assertThat(seen).hasSize(1);
            Map<String, Object> env = JSON.readValue(seen.get(0), Map.class);
            Map<String, Object> pidbox = map(((List<?>) sample("redis-pidbox-broadcast.json").get("/0.celery.pidbox"))
                    .get(0));
            assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(
                    pidbox.keySet().stream().filter(k -> !k.equals("body_decoded")).toList());
            assertThat(map(map(env.get("properties")).get("delivery_info")))
                    .isEqualTo(map(map(pidbox.get("properties")).get("delivery_info")));
        }
    }

    @Test
    void directSubscriptionIsKombusBoundReplyQueueGoneOnClose() throws Exception {
        String exchange = "reply.wire-" + UUID.randomUUID() + ".pidbox";
        String oid = UUID.randomUUID().toString();
        String queue = oid + "." + exchange;
        String entry = oid + "\u0006\u0016\u0006\u0016" + queue;
        List<Message> got = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Transport t = new RedisTransportFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            org.celeriac.spi.transport.Subscription s = t.subscribeDirect(exchange, oid, queue, got::add);
            assertThat(j.smembers("_kombu.binding." + exchange)).containsExactly(entry);

            // a reply as kombu's Channel._put pushes it (priority 0: the queue's own list)
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("body", Base64.getEncoder().encodeToString("{\"pyw@x\": {\"ok\": \"pong\"}}"
                    .getBytes(StandardCharsets.UTF_8)));
            reply.put("content-encoding", "utf-8");
            reply.put("content-type", "application/json");
            reply.put("headers", Map.of("ticket", "t-1", "clock", 3));
            reply.put("properties", Map.of("delivery_mode", 1, "delivery_info", Map.of("exchange", exchange,
                    "routing_key", oid), "priority", 0, "body_encoding", "base64", "delivery_tag", "d-1"));
            j.lpush(queue, JSON.writeValueAsString(reply));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(got).hasSize(1);
            assertThat(new String(got.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"pyw@x\": {\"ok\": \"pong\"}}");
            assertThat(got.get(0).headers()).containsEntry("ticket", "t-1").containsEntry("clock", 3);

            s.close();
            assertThat(j.exists("_kombu.binding." + exchange)).isFalse();
            assertThat(j.exists(queue)).isFalse();
        }
    }

    @Test
    void publishDirectPushesKombusEnvelopeOnEachQueueBoundUnderTheKey() throws Exception {
        String exchange = "reply.wire-" + UUID.randomUUID() + ".pidbox";
        String table = "_kombu.binding." + exchange;
        try (Transport t = new RedisTransportFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            // as kombu's queue_bind of two callers' reply queues, one under another key
            j.sadd(table, "a\u0006\u0016\u0006\u0016a.q", "b\u0006\u0016\u0006\u0016b.q");
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("ticket", "t-2");
            headers.put("clock", 5);

            t.publishDirect(exchange, "a", new Message("{\"jvm@x\": {\"ok\": \"pong\"}}".getBytes(StandardCharsets.UTF_8),
                    "application/json", "utf-8", headers, Map.of()));
            t.publishDirect(exchange, "nobody", new Message("{}".getBytes(StandardCharsets.UTF_8), "application/json",
                    "utf-8", Map.of(), Map.of()));

            assertThat(j.llen("a.q")).isEqualTo(1);
            assertThat(j.exists("b.q")).isFalse();
            assertThat(j.exists("nobody")).isFalse();
            Map<String, Object> env = JSON.readValue(j.rpop("a.q"), Map.class);
            Map<String, Object> captured = map(((List<?>) sample("redis-pidbox-broadcast.json")
                    .get("/0.celery.pidbox")).get(1));
            assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(
                    captured.keySet().stream().filter(k -> !k.equals("body_decoded")).toList());
            assertThat(map(env.get("headers"))).isEqualTo(headers);
            assertThat(map(env.get("properties"))).containsEntry("delivery_mode", 1).containsEntry("priority", 0)
                    .containsEntry("body_encoding", "base64")
                    .containsEntry("delivery_info", Map.of("exchange", exchange, "routing_key", "a"));
            assertThat(Base64.getDecoder().decode((String) env.get("body")))
                    .isEqualTo("{\"jvm@x\": {\"ok\": \"pong\"}}".getBytes(StandardCharsets.UTF_8));
            j.del(table);
        }
    }

    @Test
    void connectionErrorsNameTheServerButNotThePassword() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String dead = "redis://:hunter2@127.0.0.1:" + port + "/0";
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new RedisTransportFactory().open(dead, Map.of("socket_connect_timeout", "1")))
                .isInstanceOf(org.celeriac.spi.transport.TransportException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageNotContaining("hunter2");
    }

    private static Jedis jedis() {
        java.net.URI u = java.net.URI.create(REDIS.url());
        Jedis j = new Jedis(u.getHost(), u.getPort());
        String path = u.getPath();
        if (path != null && path.length() > 1) {
            j.select(Integer.parseInt(path.substring(1)));
        }
        return j;
    }
}
