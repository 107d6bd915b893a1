package org.celeriac.control;

import java.util.List;

import org.celeriac.spi.serializer.Serializer;

/**
 * What remote-control messages are written and read with: as Celery's {@code app.control.mailbox}, the app's
 * {@code task_serializer} and {@code accept_content}, so that with message signing commands and replies are signed,
 * and unsigned ones refused, as tasks are.
 *
 * @param send   commands and replies are written with it
 * @param accept the only ones read, by content type
 */
public record ControlSerializers(Serializer send, List<Serializer> accept) {

    public ControlSerializers {
        accept = List.copyOf(accept);
    }

    /** JSON both ways: Celery's defaults. */
    public static ControlSerializers json(Serializer json) {
        return new ControlSerializers(json, List.of(json));
    }

    /** The accepted serializer for a content type, or null. */
    Serializer forContentType(String contentType) {
        return accept.stream().filter(s -> s.contentType().equals(contentType)).findFirst().orElse(null);
    }
}
