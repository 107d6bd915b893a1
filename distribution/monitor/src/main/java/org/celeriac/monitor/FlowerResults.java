package org.celeriac.monitor;

import java.util.Map;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

/**
 * A stored result as Flower's {@code apply} and {@code result} answer it: the value as stored; an exception (which
 * Python's JSON cannot write) as Python's {@code repr} of it, {@code TypeError('boom')}; a failure's traceback too.
 */
final class FlowerResults {

    private FlowerResults() {
    }

    static void put(Map<String, Object> out, TaskResult r) {
        boolean exception = r.state() == TaskState.FAILURE || r.state() == TaskState.REVOKED
                || r.state() == TaskState.RETRY;
        out.put("result", exception && r.result() != null ? repr(ExceptionInfo.fromResult(r.result())) : r.result());
        if (r.state() == TaskState.FAILURE) {
            out.put("traceback", r.traceback());
        }
    }

    /** Python's {@code repr} of an exception of one argument. */
    static String repr(ExceptionInfo e) {
        return e.type() + "(" + pyString(e.message()) + ")";
    }

    private static String pyString(String s) {
        boolean doubleQuotes = s.contains("'") && !s.contains("\"");
        char quote = doubleQuotes ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == quote) {
                        b.append('\\');
                    }
                    b.append(c);
                }
            }
        }
        return b.append(quote).toString();
    }
}
