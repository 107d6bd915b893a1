package org.celeriac.worker;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;

import org.celeriac.spi.transport.Message;

/**
 * How large a message's headers are, for {@code message_max_bytes}, which bounds the headers as it bounds the body:
 * a hostile producer can make them as large as a body (Redis carries headers of any size). Counted as the
 * characters their JSON takes at the least.
 */
final class MessageSize {
    private MessageSize() {
    }

    /**
     * The size of the message's headers, or, once past {@code limit}, at least that much: counting stops there.
     * Walks them without recursion, so that nested bombs cannot exhaust the stack.
     */
    static long headers(Message m, long limit) {
        long n = 0;
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(m.headers());
        while (!todo.isEmpty() && n <= limit) {
            Object v = todo.pop();
            if (v instanceof Map<?, ?> map) {
                n += 2;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    n += String.valueOf(e.getKey()).length() + 4;
                    n += push(todo, e.getValue());
                }
            } else if (v instanceof Collection<?> c) {
                n += 2;
                for (Object x : c) {
                    n += 1 + push(todo, x);
                }
            } else if (v instanceof String s) {
                n += s.length() + 2;
            } else if (v instanceof byte[] b) {
                n += b.length;
            } else {
                n += 8; // a number or a boolean
            }
        }
        return n;
    }

    /** Pushes a value to walk, or counts it now: null, which the deque does not take. */
    private static int push(Deque<Object> todo, Object v) {
        if (v == null) {
            return 4;
        }
        todo.push(v);
        return 0;
    }
}
