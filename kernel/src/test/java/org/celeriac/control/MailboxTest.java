package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.celeriac.events.LamportClock;
import org.celeriac.json.JsonSerializer;
import org.celeriac.spi.transport.Message;
import org.junit.jupiter.api.Test;

/** The pidbox wire form, against broadcasts captured from Celery 5.2.6 on Redis (celery-wire). */
class MailboxTest {

    private final JsonSerializer json = new JsonSerializer();
    private final LamportClock clock = new LamportClock();
    private final Mailbox mailbox = new Mailbox("celery", json, clock);

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> captured() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/celery-wire/redis-pidbox-broadcast.json")) {
            Map<String, Object> doc = (Map<String, Object>) json.decode(in.readAllBytes());
            return (List<Map<String, Object>>) ((Map<String, Object>) doc.get("sample")).get("/0.celery.pidbox");
        }
    }

    @SuppressWarnings("unchecked")
    private static Message fromEnvelope(Map<String, Object> envelope) {
        return new Message(Base64.getDecoder().decode((String) envelope.get("body")),
                (String) envelope.get("content-type"), (String) envelope.get("content-encoding"),
                (Map<String, Object>) envelope.get("headers"), (Map<String, Object>) envelope.get("properties"));
    }

    @Test
    void readsThePingCelerysClientBroadcasts() throws Exception {
        Message ping = fromEnvelope(captured().stream()
                .filter(e -> ((Map<?, ?>) e.get("body_decoded")).get("method").equals("ping")).findFirst().get());

        ControlCommand c = mailbox.read(ping);

        assertThat(c.method()).isEqualTo("ping");
        assertThat(c.arguments()).isEmpty();
        assertThat(c.destination()).isEmpty();
        assertThat(c.ticket()).isEqualTo("9ce538fc-6403-490a-a7c2-a06464687e54");
        assertThat(c.replyExchange()).isEqualTo("reply.celery.pidbox");
        assertThat(c.replyRoutingKey()).isEqualTo("0fb08406-eb42-3d95-bd6c-df4caad208bd");
        assertThat(c.wantsReply()).isTrue();
        assertThat(clock.value()).isGreaterThan(1); // moved past the sender's
    }

    @Test
    void readsTheHelloOfAStartingCeleryWorker() throws Exception {
        Message hello = fromEnvelope(captured().get(0));

        ControlCommand c = mailbox.read(hello);

        assertThat(c.method()).isEqualTo("hello");
        assertThat(c.arguments()).containsEntry("from_node", "pyw@capture").containsEntry("revoked", Map.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void writesCommandsInKombusShape() {
        ControlCommand c = new ControlCommand("rate_limit", Map.of("task_name", "demo.add", "rate_limit", "10/s"),
                List.of("w1@host"), null, null, "t-1", "reply.celery.pidbox", "oid-1");

        Message m = mailbox.command(c, 1234.5);

        Map<String, Object> body = (Map<String, Object>) json.decode(m.body());
        assertThat(body).containsEntry("method", "rate_limit").containsEntry("destination", List.of("w1@host"))
                .containsEntry("pattern", null).containsEntry("matcher", null).containsEntry("ticket", "t-1")
                .containsEntry("reply_to", Map.of("exchange", "reply.celery.pidbox", "routing_key", "oid-1"));
        assertThat(m.headers()).containsEntry("expires", 1234.5).containsKey("clock");
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(mailbox.read(m)).isEqualTo(c);
    }

    @Test
    void repliesKeyedByHostnameWithTheTicket() {
        Message m = mailbox.reply("w1@host", Map.of("ok", "pong"), "t-1");

        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("{\"w1@host\":{\"ok\":\"pong\"}}");
        assertThat(m.headers()).containsEntry("ticket", "t-1").containsKey("clock");
        Mailbox.Reply r = mailbox.readReply(m);
        assertThat(r).isEqualTo(new Mailbox.Reply("t-1", "w1@host", Map.of("ok", "pong")));
    }

    @Test
    void refusesWhatIsNotACommand() {
        Message notJson = new Message("{oops".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", null, null);
        Message noMethod = new Message("{}".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", null, null);
        Message pickle = new Message(new byte[] {(byte) 0x80, 4}, "application/x-python-serialize", "binary", null,
                null);

        assertThatThrownBy(() -> mailbox.read(notJson)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mailbox.read(noMethod)).hasMessageContaining("no method");
        assertThatThrownBy(() -> mailbox.read(pickle)).hasMessageContaining("not accepted");
    }
}
