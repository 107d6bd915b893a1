package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.events.LamportClock;
import org.celeriac.json.JsonSerializer;
import org.celeriac.memory.MemoryTransportFactory;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Commands out and replies back through a real (in-memory) broker, between a caller and two nodes. */
class ControlTest {

    private final JsonSerializer json = new JsonSerializer();
    private final Transport transport = new MemoryTransportFactory().open("memory://" + UUID.randomUUID(), Map.of());
    private final Control control = new Control(transport, json, new LamportClock(), "celery");
    private final List<ControlNode> nodes = new java.util.ArrayList<>();

    private void node(String hostname, Map<String, ControlNode.Handler> handlers) {
        ControlNode n = new ControlNode(transport, new Mailbox("celery", json, new LamportClock()), hostname, handlers);
        n.start();
        nodes.add(n);
    }

    @AfterEach
    void close() {
        nodes.forEach(ControlNode::close);
        transport.close();
    }

    @Test
    void everyNodeRepliesUnderItsName() {
        node("w1@host", Map.of("ping", a -> ControlNode.ok("pong")));
        node("w2@host", Map.of("ping", a -> ControlNode.ok("pong")));

        Map<String, Object> replies = control.call("ping", Map.of(), ControlTarget.all());

        assertThat(replies).containsOnly(Map.entry("w1@host", Map.of("ok", "pong")),
                Map.entry("w2@host", Map.of("ok", "pong")));
    }

    @Test
    void onlyTheNamedNodesAnswerAndTheCallEndsOnceTheyHave() {
        node("w1@host", Map.of("ping", a -> ControlNode.ok("pong")));
        node("w2@host", Map.of("ping", a -> ControlNode.ok("pong")));

        Map<String, Object> replies = control.call("ping", Map.of(),
                ControlTarget.to(List.of("w2@host")).withTimeout(Duration.ofSeconds(30)));

        assertThat(replies).containsOnlyKeys("w2@host"); // and it did not wait the 30 s out
    }

    @Test
    void argumentsReachTheHandler() {
        node("w1@host", Map.of("echo", a -> a.get("word")));

        assertThat(control.call("echo", Map.of("word", "hi"), ControlTarget.all())).containsEntry("w1@host", "hi");
    }

    @Test
    void failingOrUnknownCommandsReplyWithAnErrorAndTheNodeGoesOn() {
        node("w1@host", Map.of("boom", a -> {
            throw new IllegalStateException("no");
        }, "ping", a -> ControlNode.ok("pong")));

        assertThat(control.call("boom", Map.of(), ControlTarget.all()))
                .containsEntry("w1@host", Map.of("error", "IllegalStateException('no')"));
        assertThat(control.call("nope", Map.of(), ControlTarget.all()))
                .containsEntry("w1@host", Map.of("error", "No such control command: nope"));
        assertThat(control.call("ping", Map.of(), ControlTarget.all())).containsEntry("w1@host", Map.of("ok", "pong"));
    }

    @Test
    void twoNodesWithOneNameAreBothHeard() {
        node("w1@host", Map.of("hello", a -> null));
        node("w1@host", Map.of("hello", a -> null));

        List<Map.Entry<String, Object>> replies = control.collect("hello", Map.of(), ControlTarget.all());

        assertThat(replies).extracting(Map.Entry::getKey).containsExactly("w1@host", "w1@host");
        assertThat(control.call("hello", Map.of(), ControlTarget.all())).containsOnlyKeys("w1@host");
    }

    @Test
    void castRunsTheCommandWithoutAReply() throws Exception {
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        node("w1@host", Map.of("poke", a -> {
            ran.countDown();
            return null;
        }));

        control.cast("poke", Map.of(), ControlTarget.all());

        assertThat(ran.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
}
