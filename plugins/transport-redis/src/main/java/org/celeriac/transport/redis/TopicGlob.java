package org.celeriac.transport.redis;

import java.util.List;

import org.celeriac.spi.transport.TopicPattern;

/**
 * Redis has no topic exchanges: a topic subscription PSUBSCRIBEs a glob that matches at least what its AMQP pattern
 * does, and drops the rest with {@link TopicPattern#matches}.
 */
final class TopicGlob {

    private TopicGlob() {
    }

    /**
     * A Redis glob matching every routing key the pattern does, and maybe more: kombu's translation
     * ({@code #} becomes {@code *}), with the dots around a {@code #} dropped as it also matches no word, and other
     * glob characters escaped.
     */
    static String glob(TopicPattern pattern) {
        List<String> words = pattern.words();
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
}
