import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.worker.Worker;

/**
 * The embedded default (H2 file database) on its own: enqueue rate, drain rate of demo.add with results at
 * concurrency 8, and the round trip of sequential calls. Run with bench/run-embedded-sql; prints one line each.
 * The Celery comparisons (same broker, side by side) come with the Redis and RabbitMQ scenarios.
 */
public class EmbeddedSqlBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Path dir = Files.createTempDirectory("celeriac-bench");
        String url = "sql:file:" + dir.resolve("celeriac");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                deleteTree(dir);
            } catch (java.io.IOException e) {
                System.err.println("could not remove " + dir + ": " + e);
            }
        }));
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, url, Settings.RESULT_BACKEND, url)))) {
            app.tasks().registerPackages(EmbeddedSqlBench.class.getClassLoader());
            long t0 = System.nanoTime();
            List<AsyncResult> sent = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                sent.add(app.client().send("demo.add", List.of(i, 1), Map.of()));
            }
            long t1 = System.nanoTime();
            Worker worker = app.worker(app.workerOptions().withConcurrency(8));
            long t2 = System.nanoTime();
            worker.start();
            for (AsyncResult r : sent) {
                r.get(Duration.ofMinutes(5));
            }
            long t3 = System.nanoTime();
            long[] rtt = new long[500];
            for (int i = 0; i < rtt.length; i++) {
                long s = System.nanoTime();
                app.client().send("demo.add", List.of(1, 1), Map.of()).get(Duration.ofSeconds(30));
                rtt[i] = System.nanoTime() - s;
            }
            Arrays.sort(rtt);
            System.out.printf("embedded-sql enqueue: %.0f tasks/s (%d tasks)%n", n / secs(t1 - t0), n);
            System.out.printf("embedded-sql drain with results, concurrency 8: %.0f tasks/s%n", n / secs(t3 - t2));
            System.out.printf("embedded-sql round trip: p50 %.2f ms, p99 %.2f ms (%d sequential calls)%n",
                    rtt[rtt.length / 2] / 1e6, rtt[rtt.length * 99 / 100] / 1e6, rtt.length);
        }
    }

    /** The database of a run is a few hundred MB: removed when the run ends. */
    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }
}
