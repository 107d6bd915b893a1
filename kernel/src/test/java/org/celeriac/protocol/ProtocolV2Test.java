package org.celeriac.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.celeriac.json.JsonSerializer;
import org.celeriac.spi.transport.Message;
import org.junit.jupiter.api.Test;

/** The codec against messages captured from a real Celery 5.2 on Redis (src/test/resources/celery-wire). */
class ProtocolV2Test {

    private final JsonSerializer json = new JsonSerializer();
    private final ProtocolV2 protocol = new ProtocolV2(json);

    @SuppressWarnings("unchecked")
    private Map<String, Object> fixture(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/celery-wire/" + name)) {
            Map<String, Object> doc = (Map<String, Object>) json.decode(in.readAllBytes());
            return (Map<String, Object>) doc.get("sample");
        }
    }

    /** A kombu Redis envelope as a transport hands it over: body base64-decoded. */
    @SuppressWarnings("unchecked")
    private static Message fromEnvelope(Map<String, Object> envelope) {
        byte[] body = Base64.getDecoder().decode((String) envelope.get("body"));
        return new Message(body, (String) envelope.get("content-type"), (String) envelope.get("content-encoding"),
                (Map<String, Object>) envelope.get("headers"), (Map<String, Object>) envelope.get("properties"));
    }

    @Test
    void decodesTaskSentByCelery() throws Exception {
        TaskMessage t = protocol.decode(fromEnvelope(fixture("redis-task-basic.json")));

        assertThat(t.task()).isEqualTo("demo.add");
        assertThat(t.id()).isEqualTo("dcd52ceb-c417-4e94-a027-861b3d0d6faf");
        assertThat(t.args()).containsExactly(2, 3);
        assertThat(t.kwargs()).isEmpty();
        assertThat(t.retries()).isZero();
        assertThat(t.rootId()).isEqualTo(t.id());
        assertThat(t.parentId()).isNull();
        assertThat(t.eta()).isNull();
        assertThat(t.hardTimeLimit()).isNull();
        assertThat(t.origin()).isEqualTo("gen8632@vm");
        assertThat(t.replyTo()).isEqualTo("bb349068-5ca9-330e-a359-1782e5487d51");
        assertThat(t.embed()).isEmpty();
    }

    @SuppressWarnings("unchecked")
    @Test
    void decodesEtaExpiresTimeLimitsPriorityAndUnicode() throws Exception {
        Map<String, Object> sample = fixture("redis-task-options.json");
        TaskMessage t = protocol.decode(fromEnvelope((Map<String, Object>) sample.get("envelope")));

        assertThat(t.eta()).isEqualTo(Instant.parse("2026-11-25T11:41:23.460698Z"));
        assertThat(t.expires()).isEqualTo(Instant.parse("2026-11-25T11:42:13.460698Z"));
        assertThat(t.hardTimeLimit()).isEqualTo(30.0);
        assertThat(t.softTimeLimit()).isEqualTo(20.0);
        assertThat(t.priority()).isEqualTo(5);
        assertThat(t.args()).containsExactly("\u00fc", Map.of("k", java.util.Arrays.asList(1, null)));
        assertThat(t.kwargs()).containsEntry("x", true);
    }

    @SuppressWarnings("unchecked")
    @Test
    void keepsChainEmbeddedByCeleryForCanvas() throws Exception {
        TaskMessage t = protocol.decode(fromEnvelope(fixture("redis-task-chain.json")));

        List<Object> chain = (List<Object>) t.embed().get("chain");
        assertThat(chain).hasSize(2);
        assertThat(((Map<String, Object>) chain.get(0))).containsEntry("task", "demo.xsum");
        assertThat(((Map<String, Object>) chain.get(1))).containsEntry("task", "demo.mul");
    }

    @SuppressWarnings("unchecked")
    @Test
    void encodesTheHeadersAndPropertiesCeleryWrites() throws Exception {
        Map<String, Object> celery = fixture("redis-task-basic.json");
        Message m = protocol.encode(TaskMessage.of("id-1", "demo.add", List.of(2, 3), Map.of()), "celery");

        Map<String, Object> celeryHeaders = (Map<String, Object>) celery.get("headers");
        assertThat(m.headers().keySet()).containsExactlyInAnyOrderElementsOf(celeryHeaders.keySet());
        assertThat(m.headers()).containsEntry("lang", "py").containsEntry("task", "demo.add")
                .containsEntry("id", "id-1").containsEntry("root_id", "id-1").containsEntry("argsrepr", "[2, 3]")
                .containsEntry("kwargsrepr", "{}").containsEntry("retries", 0);
        assertThat(m.properties()).containsEntry("correlation_id", "id-1").containsEntry("delivery_mode", 2)
                .containsEntry("priority", 0).containsEntry("delivery_info", Map.of("exchange", "", "routing_key", "celery"));
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(json.decode(m.body())).isEqualTo(celery.get("body_decoded"));
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Instant eta = Instant.parse("2030-01-02T03:04:05.123456Z");
        TaskMessage sent = TaskMessage.of("id-2", "demo.echo", List.of("\u00fc", 1.5), Map.of("k", List.of(1)))
                .withEta(eta)
                .withOptions(eta.plusSeconds(60), 30.0, 20.5, 7, "reply", true, "1@host")
                .withLineage("root", "parent", "group")
                .retry(eta);

        TaskMessage got = protocol.decode(protocol.encode(sent, "q"));

        assertThat(got).usingRecursiveComparison().ignoringFields("otherHeaders").isEqualTo(sent);
        assertThat(got.otherHeaders()).containsOnlyKeys("shadow", "group_index");
    }

    @Test
    void refusesBodyThatIsNotJson() {
        Message m = new Message("not json".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", "x", "task", "demo.add"), Map.of());

        assertThatThrownBy(() -> protocol.decode(m)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("body of task x cannot be decoded");
    }

    @Test
    void refusesBodyOfWrongShape() {
        Message m = new Message("{\"a\": 1}".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", "x", "task", "demo.add"), Map.of());

        assertThatThrownBy(() -> protocol.decode(m)).hasMessageContaining("is not [args, kwargs, embed]");
    }

    @Test
    void refusesMessageWithoutTaskHeaders() {
        Message m = new Message("[[], {}, {}]".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of(), Map.of());

        assertThatThrownBy(() -> protocol.decode(m)).hasMessageContaining("protocol v1 messages are not supported");
    }

    @Test
    void refusesEtaThatIsNotATime() {
        Message m = new Message("[[], {}, {}]".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", "x", "task", "demo.add", "eta", "tomorrow"), Map.of());

        assertThatThrownBy(() -> protocol.decode(m)).hasMessageContaining("'eta' is not an ISO 8601 time: tomorrow");
    }

    private Message withHeader(String name, Object value) {
        Map<String, Object> headers = new java.util.HashMap<>(Map.of("id", "x", "task", "demo.add"));
        headers.put(name, value);
        return new Message("[[], {}, {}]".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", headers,
                Map.of());
    }

    /** Python's datetime holds years 1 to 9999; far beyond, a time overflows the milliseconds a worker counts in. */
    @Test
    void refusesTimesBeyondWhatACeleryClientCanSend() throws Exception {
        for (Object eta : List.of("+999999999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
                1e300, -1e300, Double.NaN, Double.POSITIVE_INFINITY, Long.MAX_VALUE)) {
            assertThatThrownBy(() -> protocol.decode(withHeader("eta", eta))).as("eta %s", eta)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("'eta' is out of range");
        }
        assertThatThrownBy(() -> protocol.decode(withHeader("expires", 1e20))).hasMessageContaining("out of range");
        assertThat(protocol.decode(withHeader("eta", "9999-12-31T23:59:59+00:00")).eta())
                .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(protocol.decode(withHeader("eta", 0)).eta()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void refusesRetriesThatAreNotACount() throws Exception {
        for (Object retries : List.of(-1, 2.5, "3", true, java.math.BigInteger.TEN.pow(40), Double.NaN,
                3_000_000_000L, List.of())) {
            assertThatThrownBy(() -> protocol.decode(withHeader("retries", retries))).as("retries %s", retries)
                    .hasMessageContaining("'retries' must be an integer from 0");
        }
        assertThat(protocol.decode(withHeader("retries", 7L)).retries()).isEqualTo(7);
    }

    @Test
    void refusesTimeLimitsThatAreNotSeconds() throws Exception {
        for (Object limit : List.of(42, "x", List.of(1), List.of(-5, 1), java.util.Arrays.asList(Double.NaN, null),
                java.util.Arrays.asList(null, Double.NEGATIVE_INFINITY), List.of("a", 1))) {
            assertThatThrownBy(() -> protocol.decode(withHeader("timelimit", limit))).as("timelimit %s", limit)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("'timelimit'");
        }
        assertThat(protocol.decode(withHeader("timelimit", java.util.Arrays.asList(10, null))).hardTimeLimit())
                .isEqualTo(10.0);
    }

    /** Python's json refuses "extra data"; Jackson by default reads the first value and ignores the rest. */
    @Test
    void refusesBodyFollowedByMore() {
        for (String body : List.of("[[1, 2], {}, {}]]", "[[1, 2], {}, {}] trailing", "[[], {}, {}] [[], {}, {}]")) {
            Message m = new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                    Map.of("id", "x", "task", "demo.add"), Map.of());
            assertThatThrownBy(() -> protocol.decode(m)).as(body).hasMessageContaining("cannot be decoded");
        }
    }

    @Test
    void showsBadValuesShortAndEscaped() {
        assertThatThrownBy(() -> protocol.decode(withHeader("eta", "\u001b[2J" + "x".repeat(10_000))))
                .hasMessageContaining("\\x1b[2J").satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void readsNaiveTimesAsUtc() {
        assertThat(ProtocolV2.parseTime("2026-11-25T11:41:32.668941")).isEqualTo(Instant.parse("2026-11-25T11:41:32.668941Z"));
        assertThat(ProtocolV2.formatTime(Instant.parse("2026-11-25T11:41:32.5Z"))).isEqualTo("2026-11-25T11:41:32.500000+00:00");
    }

    @Test
    void reprEscapesWhatPythonDoesNotPrint() {
        assertThat(Repr.of("demo.add\u0000\r\n\t\u001b[31m\u007f\u0085\u202e\u2028\ud83d\ude00 \u00e9"))
                .isEqualTo("'demo.add\\x00\\r\\n\\t\\x1b[31m\\x7f\\x85\\u202e\\u2028\ud83d\ude00 \u00e9'");
    }

    @Test
    void writesPythonReprOfArguments() {
        assertThat(Repr.of(java.util.Arrays.asList("a'b", true, null, Map.of("k", 1.5)))).isEqualTo("['a\\'b', True, None, {'k': 1.5}]");
    }
}
