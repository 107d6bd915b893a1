import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskCall;
import org.celeriac.config.Settings;

import redis.clients.jedis.Jedis;

/**
 * The Celeriac side of bench/run-redis (and the client steps of bench/run-amqp), and the drain timer both sides of
 * run-redis share. One step per run:
 *
 * <pre>
 *   enqueue N WARMUP REPS          REPS timed loops of N client.send(...), after WARMUP untimed sends; the best
 *   enqueue-batch N BATCH WARMUP REPS
 *                                  the same through client.sendAll(...) in batches of BATCH
 *   enqueue-threads N THREADS WARMUP REPS
 *                                  the same with THREADS threads each sending N/THREADS one by one, at once
 *   warmup K                       K tasks sent, then every result waited for
 *   fill N QUEUE BATCH             N demo.add messages on QUEUE through sendAll (untimed)
 *   latency M WARMUP               M sequential send(...).get(timeout), after WARMUP untimed; p50, p99
 *   drain N SIDE QUEUE KEY         the drain timer (plain Redis, no Celeriac): COPY SIDE to a round list, FLUSHDB
 *                                  the result db, RENAME the round list QUEUE, poll DBSIZE of the result db until it
 *                                  holds N keys; then checks a sample of them is SUCCESS. SIDE stays for another round
 * </pre>
 *
 * Broker redis://127.0.0.1:PORT/0, results redis://127.0.0.1:PORT/1, PORT from BENCH_REDIS_PORT (default 56500);
 * BENCH_BROKER_URL and BENCH_BACKEND_URL replace those URLs for the client steps (run-amqp).
 * Measurements are printed as "RESULT key value" lines for run-redis to collect.
 */
public class RedisBench {
    static final String HOST = "127.0.0.1";
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("BENCH_REDIS_PORT", "56500"));
    static final String BROKER = env("BENCH_BROKER_URL", "redis://" + HOST + ":" + PORT + "/0");
    static final String BACKEND = env("BENCH_BACKEND_URL", "redis://" + HOST + ":" + PORT + "/1");

    static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    public static void main(String[] a) throws Exception {
        String cmd = a[0];
        if (cmd.equals("drain")) {
            drain(Integer.parseInt(a[1]), a[2], a[3], a[4]);
            return;
        }
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, BROKER,
                Settings.RESULT_BACKEND, BACKEND)))) {
            switch (cmd) {
                case "enqueue" -> enqueue(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
                case "enqueue-batch" -> enqueueBatch(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]),
                        Integer.parseInt(a[3]), Integer.parseInt(a[4]));
                case "enqueue-threads" -> enqueueThreads(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]),
                        Integer.parseInt(a[3]), Integer.parseInt(a[4]));
                case "warmup" -> warmup(app, Integer.parseInt(a[1]));
                case "fill" -> fill(app, Integer.parseInt(a[1]), a[2], Integer.parseInt(a[3]));
                case "latency" -> latency(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]));
                default -> throw new IllegalArgumentException("unknown command " + cmd);
            }
        }
    }

    static void result(String key, String value) {
        System.out.println("RESULT " + key + " " + value);
        System.out.flush();
    }

    static void enqueue(Celeriac app, int n, int warmup, int reps) {
        for (int i = 0; i < warmup; i++) {
            app.client().send("demo.add", List.of(i, 1), Map.of());
        }
        double[] rates = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                app.client().send("demo.add", List.of(i, 1), Map.of());
            }
            rates[r] = n / secs(System.nanoTime() - t0);
        }
        best("celeriac enqueue loops", "celeriac.enqueue", rates);
    }

    static void enqueueBatch(Celeriac app, int n, int batch, int warmup, int reps) {
        sendBatches(app, warmup, batch, SendOptions.defaults());
        double[] rates = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            sendBatches(app, n, batch, SendOptions.defaults());
            rates[r] = n / secs(System.nanoTime() - t0);
        }
        best("celeriac sendAll(" + batch + ") loops", "celeriac.enqueue_batch", rates);
    }

    /** As {@link #enqueue}, from {@code threads} threads at once, each sending its share one by one. */
    static void enqueueThreads(Celeriac app, int n, int threads, int warmup, int reps) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            sendFromThreads(app, pool, warmup, threads);
            double[] rates = new double[reps];
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                sendFromThreads(app, pool, n, threads);
                rates[r] = n / secs(System.nanoTime() - t0);
            }
            best("celeriac enqueue loops from " + threads + " threads", "celeriac.enqueue_threads", rates);
        } finally {
            pool.shutdownNow();
        }
    }

    static void sendFromThreads(Celeriac app, java.util.concurrent.ExecutorService pool, int n, int threads)
            throws Exception {
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = n * t / threads;
            int to = n * (t + 1) / threads;
            running.add(pool.submit(() -> {
                for (int i = from; i < to; i++) {
                    app.client().send("demo.add", List.of(i, 1), Map.of());
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : running) {
            f.get();
        }
    }

    /** Prints every rate on stderr, and the best as the result. */
    static void best(String what, String key, double[] rates) {
        StringBuilder all = new StringBuilder();
        double max = 0;
        for (double r : rates) {
            all.append(all.length() == 0 ? "" : ", ").append(String.format("%.0f", r));
            max = Math.max(max, r);
        }
        System.err.println(what + " (tasks/s): " + all);
        result(key, String.format("%.1f", max));
    }

    static void sendBatches(Celeriac app, int n, int batch, SendOptions options) {
        List<TaskCall> calls = new ArrayList<>(batch);
        for (int i = 0; i < n; i++) {
            calls.add(new TaskCall("demo.add", List.of(i, 1), Map.of(), options));
            if (calls.size() == batch || i == n - 1) {
                app.client().sendAll(calls);
                calls = new ArrayList<>(batch);
            }
        }
    }

    /** Runs k tasks through the worker, in batches of 500 each waited for, and checks a sample of the results. */
    static void warmup(Celeriac app, int k) throws Exception {
        List<AsyncResult> sent = new ArrayList<>(k);
        for (int from = 0; from < k; from += 500) {
            List<TaskCall> calls = new ArrayList<>();
            for (int i = from; i < Math.min(k, from + 500); i++) {
                calls.add(TaskCall.of("demo.add", List.of(i, 1), Map.of()));
            }
            List<AsyncResult> batch = app.client().sendAll(calls);
            batch.get(batch.size() - 1).get(Duration.ofMinutes(2));
            sent.addAll(batch);
        }
        Random random = new Random(k);
        for (int n = 0; n < Math.min(k, 50); n++) {
            int i = random.nextInt(k);
            Object got = sent.get(i).get(Duration.ofMinutes(2));
            if (!(got instanceof Number x) || x.longValue() != i + 1) {
                throw new IllegalStateException("demo.add(" + i + ", 1) returned " + got);
            }
        }
    }

    static void fill(Celeriac app, int n, String queue, int batch) {
        long t0 = System.nanoTime();
        sendBatches(app, n, batch, SendOptions.defaults().queue(queue));
        System.err.printf("filled %s with %d messages in %.1f s%n", queue, n, secs(System.nanoTime() - t0));
    }

    static void latency(Celeriac app, int m, int warmup) throws Exception {
        for (int i = 0; i < warmup; i++) {
            app.client().send("demo.add", List.of(1, 1), Map.of()).get(Duration.ofSeconds(30));
        }
        long[] rtt = new long[m];
        for (int i = 0; i < m; i++) {
            long s = System.nanoTime();
            Object got = app.client().send("demo.add", List.of(1, 1), Map.of()).get(Duration.ofSeconds(30));
            rtt[i] = System.nanoTime() - s;
            if (!(got instanceof Number x) || x.longValue() != 2) {
                throw new IllegalStateException("demo.add(1, 1) returned " + got);
            }
        }
        Arrays.sort(rtt);
        System.err.printf("celeriac round trips (ms): min %.3f, p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f%n",
                rtt[0] / 1e6, rtt[m / 2] / 1e6, rtt[m * 90 / 100] / 1e6, rtt[m * 99 / 100] / 1e6,
                rtt[m * 999 / 1000] / 1e6, rtt[m - 1] / 1e6);
        result("celeriac.p50", String.format("%.3f", rtt[m / 2] / 1e6));
        result("celeriac.p99", String.format("%.3f", rtt[m * 99 / 100] / 1e6));
    }

    /**
     * The drain timer, the same for both sides: the worker is warm and blocked on an empty QUEUE; SIDE holds N
     * messages its own client wrote. One RENAME moves a copy of them all in at once (Redis wakes a BRPOP blocked on
     * the destination), and the clock runs until the result database holds N keys.
     */
    static void drain(int n, String side, String queue, String key) throws Exception {
        try (Jedis broker = new Jedis(HOST, PORT); Jedis results = new Jedis(HOST, PORT)) {
            broker.select(0);
            results.select(1);
            long waiting = broker.llen(side);
            if (waiting != n) {
                throw new IllegalStateException(side + " holds " + waiting + " messages, not " + n);
            }
            if (broker.exists(queue)) {
                throw new IllegalStateException(queue + " is not empty: " + broker.llen(queue) + " messages");
            }
            // The same messages for every round: the round list is a copy, SIDE is kept
            String round = side + ".round";
            broker.del(round);
            if (!broker.copy(side, round, false)) {
                throw new IllegalStateException("could not copy " + side + " to " + round);
            }
            results.flushDB();
            long t0 = System.nanoTime();
            broker.rename(round, queue);
            long firstAt = 0;
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            long count;
            while ((count = results.dbSize()) < n) {
                if (firstAt == 0 && count > 0) {
                    firstAt = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count + " of " + n + " results after 10 minutes");
                }
                Thread.sleep(2);
            }
            long t1 = System.nanoTime();
            if (count != n) {
                throw new IllegalStateException(count + " results for " + n + " tasks");
            }
            int checked = 0;
            for (int i = 0; i < 50; i++) {
                String k = results.randomKey();
                String meta = results.get(k);
                if (meta == null || !meta.replace(" ", "").contains("\"status\":\"SUCCESS\"")) {
                    throw new IllegalStateException("not a SUCCESS result: " + k + " = " + meta);
                }
                checked++;
            }
            System.err.printf("%s: %d results in %.3f s (first after %.1f ms); %d sampled, all SUCCESS%n", key, n,
                    secs(t1 - t0), firstAt == 0 ? Double.NaN : (firstAt - t0) / 1e6, checked);
            result(key, String.format("%.1f", n / secs(t1 - t0)));
        }
    }

    static double secs(long nanos) {
        return nanos / 1e9;
    }
}
