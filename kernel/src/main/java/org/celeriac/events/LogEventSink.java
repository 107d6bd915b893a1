package org.celeriac.events;

import java.util.Map;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each event as one log line of {@code key=value} pairs on the logger {@code celeriac.events}, for log
 * pipelines that want the task stream without a broker subscription: {@code task-succeeded uuid=... runtime=0.002}.
 */
public final class LogEventSink implements EventSink {
    private static final Logger LOG = LoggerFactory.getLogger("celeriac.events");

    @Override
    public void emit(Event event) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(event.type());
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
            if (!f.getKey().equals("type")) {
                line.append(' ').append(f.getKey()).append('=');
                appendValue(line, f.getValue());
            }
        }
        LOG.info("{}", line);
    }

    /** Quoted when it holds a space, a quote or a line break, so that the line splits back into its pairs. */
    private static void appendValue(StringBuilder line, Object value) {
        String s = String.valueOf(value);
        if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '\n' || c == '\r' || c == '=')) {
            line.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    .replace("\r", "\\r")).append('"');
        } else {
            line.append(s);
        }
    }
}
