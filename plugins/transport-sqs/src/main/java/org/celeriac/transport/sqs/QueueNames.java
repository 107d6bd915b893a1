package org.celeriac.transport.sqs;

/**
 * Celery's queue names as SQS names, as kombu makes them: the prefix before, then {@code .} becomes {@code -},
 * {@code -} and {@code _} stay, any other ASCII punctuation becomes {@code _}; a {@code .fifo} ending is kept,
 * as SQS requires it of FIFO queues.
 */
final class QueueNames {

    private static final String FIFO = ".fifo";
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private QueueNames() {
    }

    static String sqsName(String prefix, String queue) {
        String name = prefix + queue;
        if (name.endsWith(FIFO)) {
            return translate(name.substring(0, name.length() - FIFO.length())) + FIFO;
        }
        return translate(name);
    }

    static boolean isFifo(String sqsName) {
        return sqsName.endsWith(FIFO);
    }

    private static String translate(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                b.append('-');
            } else if (c != '-' && c != '_' && PUNCTUATION.indexOf(c) >= 0) {
                b.append('_');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
