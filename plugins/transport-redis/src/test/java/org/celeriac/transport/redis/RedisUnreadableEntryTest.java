package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * What lies on a queue's list that is not a kombu envelope is handed over as an unreadable delivery, its bytes as
 * they came and the reason, never dropped; envelopes whose delivery tags could not key the unacked hash are given
 * tags of their own. On a real Redis (CELERIAC_TEST_REDIS_URL, or a redis-server started here).
 */
class RedisUnreadableEntryTest {
    private static final RedisTransportFactory FACTORY = new RedisTransportFactory();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    /** A database of its own, flushed before each test: the unacked hash is counted. */
    private static final int DB = 12;

    private final String queue = "unreadable-" + UUID.randomUUID();
    private Transport transport;
    private Jedis jedis;

    @BeforeEach
    void open() {
        URI redis = URI.create(REDIS.url());
        String url = "redis://" + redis.getHost() + ":" + redis.getPort() + "/" + DB;
        jedis = new Jedis(URI.create(url));
        jedis.flushDB();
        transport = FACTORY.open(url, Map.of());
    }

    @AfterEach
    void close() {
        transport.close();
        jedis.flushDB();
        jedis.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Entries none of which is an envelope. */
    private static final List<byte[]> NOT_ENVELOPES = List.of(
            utf8("{\"body\": \"abc\", "), // cut short
            new byte[] {(byte) 0xc3, 0x28, (byte) 0xff, 0, 1, 2, (byte) 0x80}, // not UTF-8
            utf8("[1, 2, 3]"),
            utf8("null"),
            utf8("{\"headers\": {\"id\": \"x\", \"task\": \"t\"}, \"properties\": {}}"),
            utf8("{\"body\": 12, \"properties\": {}}"),
            utf8("{\"body\": \"\", \"headers\": \"id\", \"properties\": {}}"),
            utf8("{\"body\": \"a\", \"properties\": {\"body_encoding\": \"base64\"}}"),
            new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 't', 0, 3, 'a', 'b', 'c'}); // Java serialization's magic

    @Test
    void entriesThatAreNotEnvelopesAreHandedOverAsTheyCameWithTheReason() throws Exception {
        List<byte[]> pushed = NOT_ENVELOPES;
        for (byte[] raw : pushed) {
            jedis.lpush(utf8(queue), raw);
        }
        transport.publish(queue, new Message(utf8("[[], {}, {}]"), "application/json", "utf-8",
                Map.of("id", "good", "task", "t"), Map.of()));

        List<Delivery> got = receive(pushed.size() + 1);

        assertThat(got.subList(0, pushed.size())).allSatisfy(d -> {
            assertThat(d.unreadable()).startsWith("not a kombu envelope: ");
            assertThat(d.message().headers()).isEmpty();
            assertThat(d.queue()).isEqualTo(queue);
        });
        for (int i = 0; i < pushed.size(); i++) {
            assertThat(got.get(i).message().body()).as("entry %d as it came", i).isEqualTo(pushed.get(i));
        }
        assertThat(got.stream().map(Delivery::unreadable).toList()).containsAll(
                List.of("not a kombu envelope: not a JSON object", "not a kombu envelope: no 'body'",
                        "not a kombu envelope: 'body' is not a string",
                        "not a kombu envelope: 'headers' is not an object"))
                .anySatisfy(r -> assertThat(r).startsWith("not a kombu envelope: body is not base64 ("))
                .anySatisfy(r -> assertThat(r).startsWith("not a kombu envelope: not JSON ("));
        Delivery good = got.get(pushed.size());
        assertThat(good.unreadable()).isNull();
        assertThat(good.message().taskId()).isEqualTo("good");
        transport.ackAll(got);
        assertThat(jedis.hlen("unacked")).isZero();
        assertThat(jedis.zcard("unacked_index")).isZero();
    }

    @Test
    void anEntryTakenByABlockingReceiveIsHandedOverAsItCame() throws Exception {
        byte[] raw = {(byte) 0x80, 4, (byte) 0x95, 'p', 'i', 'c', 'k', 'l', 'e', '.'}; // pickle's magic
        CompletableFuture<List<Delivery>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return transport.receive(List.of(queue), 5, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300); // into its BRPOP

        jedis.lpush(utf8(queue), raw);

        List<Delivery> got = waiting.get(10, TimeUnit.SECONDS);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).unreadable()).startsWith("not a kombu envelope: not JSON (");
        assertThat(got.get(0).message().body()).isEqualTo(raw);
        transport.ack(got.get(0));
        assertThat(jedis.hlen("unacked")).isZero();
    }

    @Test
    void anUnreadableEntryRequeuedOrLeftAtCloseGoesBackAsItCame() throws Exception {
        byte[] first = {'n', 'o', 't', ' ', (byte) 0xfe, 'j', 's', 'o', 'n'};
        byte[] second = utf8("[\"still not an envelope\"]");
        jedis.lpush(utf8(queue), first, second);
        List<Delivery> got = receive(2);

        transport.reject(got.get(0), true);
        transport.close(); // the second, unsettled

        assertThat(jedis.lrange(utf8(queue), 0, -1)).containsExactlyInAnyOrder(first, second);
        assertThat(jedis.hlen("unacked")).isZero();
        assertThat(jedis.zcard("unacked_index")).isZero();
    }

    /**
     * Jackson reads a CESU-8 surrogate leniently, so this envelope is read; its unacked entry, not UTF-8, is compared
     * as bytes when restored, else it would read as changed for ever and stay unacked.
     */
    @Test
    void anEnvelopeThatIsNotUtf8IsRestoredWhenItsConsumerCloses() throws Exception {
        String envelope = "{\"body\": \"" + Base64.getEncoder().encodeToString(utf8("[[], {}, {}]"))
                + "\", \"content-type\": \"application/json\", \"headers\": {\"id\": \"x\", \"note\": \"@\"},"
                + " \"properties\": {\"body_encoding\": \"base64\", \"delivery_tag\": \"" + UUID.randomUUID() + "\"}}";
        byte[] text = utf8(envelope);
        int at = envelope.indexOf('@');
        byte[] raw = new byte[text.length + 2];
        System.arraycopy(text, 0, raw, 0, at);
        raw[at] = (byte) 0xed; // U+D800 in CESU-8: no UTF-8
        raw[at + 1] = (byte) 0xa0;
        raw[at + 2] = (byte) 0x80;
        System.arraycopy(text, at + 1, raw, at + 3, text.length - at - 1);
        jedis.lpush(utf8(queue), raw);
        assertThat(receive(1).get(0).unreadable()).isNull();

        transport.close();

        assertThat(jedis.hlen("unacked")).isZero();
        assertThat(jedis.llen(queue)).isEqualTo(1);
    }

    /** Jackson refuses strings over 20 million characters by default: a 15 MB body base64'd. */
    @Test
    void anEnvelopeWithABodyOverTwentyMillionBase64CharactersIsRead() throws Exception {
        byte[] body = new byte[16 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'x');
        transport.publish(queue, new Message(body, "application/json", "utf-8", Map.of("id", "big"), Map.of()));

        Delivery d = receive(1).get(0);

        assertThat(d.unreadable()).isNull();
        assertThat(d.message().body()).isEqualTo(body);
        transport.ack(d);
    }

    /**
     * Two envelopes with one delivery tag (a replay, or a forgery) are held under tags of their own, as is one whose
     * tag is not of kombu's kind: acking one leaves the other's unacked entry, which would restore it.
     */
    @Test
    void envelopesWithATagInUseOrNotOfKombusKindAreHeldUnderTagsOfTheirOwn() throws Exception {
        String tag = UUID.randomUUID().toString();
        String envelope = "{\"body\": \"" + Base64.getEncoder().encodeToString(utf8("[[], {}, {}]"))
                + "\", \"content-type\": \"application/json\", \"headers\": {}, \"properties\": {\"body_encoding\":"
                + " \"base64\", \"delivery_tag\": \"%s\", \"delivery_info\": {\"exchange\": \"\", \"routing_key\": \""
                + queue + "\"}}}";
        jedis.lpush(queue, envelope.formatted(tag), envelope.formatted(tag));
        jedis.lpush(utf8(queue), utf8(envelope.formatted("t\u00e9g")));

        List<Delivery> got = receive(3);

        assertThat(got.stream().map(Delivery::tag).distinct()).hasSize(3);
        assertThat(got).allSatisfy(d -> assertThat(d.unreadable()).isNull());
        assertThat(jedis.hlen("unacked")).isEqualTo(3);
        transport.ack(got.get(0));
        assertThat(jedis.hlen("unacked")).isEqualTo(2);
        transport.ackAll(got.subList(1, 3));
        assertThat(jedis.hlen("unacked")).isZero();
    }

    private List<Delivery> receive(int count) throws InterruptedException {
        List<Delivery> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (all.size() < count && System.nanoTime() < deadline) {
            all.addAll(transport.receive(List.of(queue), count - all.size(), Duration.ofMillis(500)));
        }
        assertThat(all).hasSize(count);
        return all;
    }
}
