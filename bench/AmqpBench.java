import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import redis.clients.jedis.Jedis;

/**
 * The drain timer of bench/run-amqp, the same for both sides (plain amqp-client and Jedis, no Celeriac); the client
 * steps are RedisBench's and celery_bench.py's. One step per run:
 *
 * <pre>
 *   drain N QUEUE KEY PID...   the worker (every process of it: PID...) was stopped with SIGSTOP and QUEUE filled
 *                              with N messages by its own client meanwhile. Empties the result store, starts the
 *                              clock, resumes the worker (SIGCONT), and stops the clock when the result store holds
 *                              N results; then checks a sample of them is SUCCESS, and that QUEUE is empty
 *   purge QUEUE...             empties queues that exist
 * </pre>
 *
 * Broker from BENCH_BROKER_URL (amqp://user:pass@host:port/vhost), results from BENCH_BACKEND_URL. Measurements
 * are printed as "RESULT key value" lines for run-amqp to collect.
 */
public class AmqpBench {
    static final String BROKER = System.getenv("BENCH_BROKER_URL");
    static final String BACKEND = System.getenv("BENCH_BACKEND_URL");

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "drain" -> drain(Integer.parseInt(a[1]), a[2], a[3], List.of(a).subList(4, a.length));
            case "purge" -> purge(List.of(a).subList(1, a.length));
            default -> throw new IllegalArgumentException("unknown command " + a[0]);
        }
    }

    /** What the drain clock watches: the results stored. */
    interface ResultStore extends AutoCloseable {
        void clear();

        long count();

        /** Throws unless a sample of the results stored are successes. */
        void checkSample(int n);

        @Override
        void close();
    }

    /** Celery's Redis result backend (and Celeriac's): one key per result in the backend's database. */
    static final class RedisResults implements ResultStore {
        private final Jedis jedis;

        RedisResults(URI url) {
            jedis = new Jedis(url.getHost(), url.getPort());
            String path = url.getPath() == null ? "" : url.getPath().replace("/", "");
            jedis.select(path.isEmpty() ? 0 : Integer.parseInt(path));
        }

        @Override
        public void clear() {
            jedis.flushDB();
        }

        @Override
        public long count() {
            return jedis.dbSize();
        }

        @Override
        public void checkSample(int n) {
            for (int i = 0; i < n; i++) {
                String k = jedis.randomKey();
                String meta = jedis.get(k);
                if (meta == null || !meta.replace(" ", "").contains("\"status\":\"SUCCESS\"")) {
                    throw new IllegalStateException("not a SUCCESS result: " + k + " = " + meta);
                }
            }
        }

        @Override
        public void close() {
            jedis.close();
        }
    }

    static ResultStore results() {
        URI url = URI.create(BACKEND);
        return switch (url.getScheme()) {
            case "redis" -> new RedisResults(url);
            // BENCH_BACKEND=rpc: the results come back as messages to the caller's reply queue; the clock would
            // count those (a consumer on the filling client's reply queue): not written yet.
            default -> throw new IllegalArgumentException("no drain clock for the result backend " + BACKEND);
        };
    }

    static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        URI u = URI.create(BROKER);
        f.setHost(u.getHost());
        f.setPort(u.getPort());
        String[] user = u.getUserInfo() == null ? new String[] {"guest", "guest"} : u.getUserInfo().split(":", 2);
        f.setUsername(user[0]);
        f.setPassword(user.length > 1 ? user[1] : "guest");
        String vhost = u.getPath() == null || u.getPath().length() <= 1 ? "/" : u.getPath().substring(1);
        f.setVirtualHost(vhost.isEmpty() ? "/" : vhost);
        return f.newConnection("bench-timer");
    }

    /** Messages ready on a queue (not those the broker already pushed to a consumer), -1 when it does not exist. */
    static long ready(Connection c, String queue) throws Exception {
        try (Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    static void purge(List<String> queues) throws Exception {
        try (Connection c = connect()) {
            for (String q : queues) {
                if (ready(c, q) >= 0) {
                    try (Channel ch = c.createChannel()) {
                        ch.queuePurge(q);
                    }
                }
            }
        }
    }

    static void drain(int n, String queue, String key, List<String> pids) throws Exception {
        try (Connection c = connect(); ResultStore results = results()) {
            // a fill without publisher confirms (Celery's) may still be arriving: wait until the count holds still
            long waiting = ready(c, queue);
            for (long settle = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < settle; ) {
                Thread.sleep(200);
                long now = ready(c, queue);
                if (now == waiting) {
                    break;
                }
                waiting = now;
            }
            // the broker pushed up to the worker's prefetch to it before it stopped; the rest wait on the queue
            if (waiting > n || waiting < n - 1_000) {
                throw new IllegalStateException(queue + " holds " + waiting + " messages ready, for " + n + " sent");
            }
            results.clear();
            List<String> cont = new ArrayList<>(List.of("kill", "-CONT"));
            cont.addAll(pids);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cont).inheritIO().start();
            long firstAt = 0;
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            long count;
            while ((count = results.count()) < n) {
                if (firstAt == 0 && count > 0) {
                    firstAt = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count + " of " + n + " results after 10 minutes");
                }
                Thread.sleep(2);
            }
            long t1 = System.nanoTime();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -CONT " + pids + " failed");
            }
            if (count != n) {
                throw new IllegalStateException(count + " results for " + n + " tasks");
            }
            results.checkSample(50);
            long left = ready(c, queue);
            System.err.printf("%s: %d results in %.3f s (first after %.1f ms; %d of them were ready on %s, the rest"
                            + " with the worker); 50 sampled, all SUCCESS; %d left on the queue%n", key, n,
                    (t1 - t0) / 1e9, firstAt == 0 ? Double.NaN : (firstAt - t0) / 1e6, waiting, queue, left);
            if (left != 0) {
                throw new IllegalStateException(left + " messages left on " + queue + " after the drain");
            }
            System.out.println("RESULT " + key + " " + String.format("%.1f", n / ((t1 - t0) / 1e9)));
        }
    }
}
