package org.celeriac.backend.memcached;

import java.nio.charset.StandardCharsets;

/**
 * Which server holds a key, as pylibmc picks it by default: libmemcached's modula distribution of its default hash,
 * Bob Jenkins's one-at-a-time, over the servers in the order given. Python's Celery and this backend then read and
 * write each key on the same server.
 */
final class ModulaDistribution {
    private ModulaDistribution() {
    }

    static int serverFor(String key, int servers) {
        if (servers == 1) {
            return 0; // libmemcached does not hash for one server
        }
        return Integer.remainderUnsigned(oneAtATime(key.getBytes(StandardCharsets.UTF_8)), servers);
    }

    /** libmemcached's {@code hashkit_one_at_a_time}; its bytes are C {@code char}s, signed, as Java's are. */
    static int oneAtATime(byte[] key) {
        int h = 0;
        for (byte b : key) {
            h += b;
            h += h << 10;
            h ^= h >>> 6;
        }
        h += h << 3;
        h ^= h >>> 11;
        h += h << 15;
        return h;
    }
}
