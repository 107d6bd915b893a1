package org.celeriac.transport.sql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;

/** Run in a child JVM by {@link SqlTransportTest}: publishes {@code count} messages, then exits. */
public final class PublishFromAnotherProcess {

    private PublishFromAnotherProcess() {
    }

    public static void main(String[] args) {
        String url = args[0];
        String queue = args[1];
        int count = Integer.parseInt(args[2]);
        try (Transport t = new SqlTransportFactory().open(url, Map.of())) {
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(new Message(("child-" + i).getBytes(StandardCharsets.UTF_8), "text/plain", "utf-8",
                        Map.of("pid", ProcessHandle.current().pid()), Map.of()));
            }
            t.publishAll(queue, batch);
        }
    }
}
