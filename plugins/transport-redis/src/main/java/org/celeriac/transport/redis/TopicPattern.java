package org.celeriac.transport.redis;

import java.util.List;

/**
 * An AMQP topic binding: routing keys and patterns are words separated by dots, {@code *} stands for exactly one
 * word and {@code #} for any number, none included. Redis has no such thing: a subscription PSUBSCRIBEs a glob that
 * matches at least what the pattern does ({@link #glob}) and drops the rest with {@link #matches}. (The kernel's
 * memory transport has the same matcher; the SPI has no place for shared code.)
 */
record TopicPattern(List<String> words) {

    static TopicPattern of(String pattern) {
        return new TopicPattern(words(pattern));
    }

    boolean matches(String routingKey) {
        return matches(0, words(routingKey), 0);
    }

    /** The empty key has no words, so that {@code #} matches it and {@code *} does not. */
    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\.", -1));
    }

    /**
     * A Redis glob matching every routing key the pattern does, and maybe more: kombu's translation
     * ({@code #} becomes {@code *}), with the dots around a {@code #} dropped as it also matches no word, and other
     * glob characters escaped.
     */
    String glob() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            boolean hashHere = w.equals("#");
            boolean hashBefore = i > 0 && words.get(i - 1).equals("#");
            if (i > 0 && !hashHere && !hashBefore) {
                b.append('.');
            }
            if (hashHere) {
                if (b.isEmpty() || b.charAt(b.length() - 1) != '*') {
                    b.append('*');
                }
            } else if (w.equals("*")) {
                b.append('*');
            } else {
                for (char c : w.toCharArray()) {
                    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                        b.append('\\');
                    }
                    b.append(c);
                }
            }
        }
        return b.toString();
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
