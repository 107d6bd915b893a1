package org.celeriac.spi.transport;

import java.util.List;

/**
 * An AMQP topic binding, as {@link Transport#subscribeTopic} takes it: routing keys and patterns are words separated
 * by dots, {@code *} stands for exactly one word and {@code #} for any number, none included. For transports whose
 * broker has no topic exchanges, which match routing keys themselves.
 *
 * @param words the pattern's words
 */
public record TopicPattern(List<String> words) {

    public TopicPattern {
        words = List.copyOf(words);
    }

    public static TopicPattern of(String pattern) {
        return new TopicPattern(words(pattern));
    }

    public boolean matches(String routingKey) {
        return matches(0, words(routingKey), 0);
    }

    /** The empty key has no words, so that {@code #} matches it and {@code *} does not. */
    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\.", -1));
    }

    private boolean matches(int p, List<String> key, int k) {
        if (p == words.size()) {
            return k == key.size();
        }
        String w = words.get(p);
        if (w.equals("#")) {
            // as few words as possible first; each further word is one more try
            for (int skip = k; skip <= key.size(); skip++) {
                if (matches(p + 1, key, skip)) {
                    return true;
                }
            }
            return false;
        }
        return k < key.size() && (w.equals("*") || w.equals(key.get(k))) && matches(p + 1, key, k + 1);
    }
}
