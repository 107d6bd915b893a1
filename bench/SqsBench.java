import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskCall;
import org.celeriac.config.Settings;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * The Celeriac side of bench/run-sqs, and the drain clock both sides share. One step per run:
 *
 * <pre>
 *   enqueue N WARMUP REPS          REPS timed loops of N client.send(...) one by one, after WARMUP untimed; the best
 *   enqueue-batch N BATCH WARMUP REPS
 *                                  the same through client.sendAll(...) in batches of BATCH
 *   fill N QUEUE BATCH             N demo.add messages on QUEUE through sendAll, asking for no result (untimed)
 *   drain N QUEUE KEY PID...       the clock (the AWS SDK's plain SQS client, no Celeriac): the worker (every
 *                                  process of it: PID...) was stopped with SIGSTOP and QUEUE filled with N messages
 *                                  by its own client meanwhile. Checks QUEUE holds N, starts the clock, resumes the
 *                                  worker (SIGCONT), and stops it when QUEUE holds no message at all, neither
 *                                  waiting nor received (every message deleted: acked)
 *   wait-empty QUEUE               waits (at most 10 minutes) until QUEUE holds no message at all (after a warm-up)
 *   purge QUEUE...                 empties queues that exist, messages received and not deleted included
 * </pre>
 *
 * The broker is BENCH_BROKER_URL (sqs://KEY:SECRET@127.0.0.1:PORT, kombu's form: the host is the endpoint, plain
 * http, region us-east-1). Celeriac's client has the in-process memory:// result backend: the tasks are sent with
 * ignore_result, so nothing is stored anywhere. Measurements are printed as "RESULT key value" lines for run-sqs.
 */
public class SqsBench {
    static final String BROKER = System.getenv("BENCH_BROKER_URL");
    static final Duration POLL = Duration.ofMillis(10);

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "drain" -> drain(Integer.parseInt(a[1]), a[2], a[3], List.of(a).subList(4, a.length));
            case "wait-empty" -> waitEmpty(a[1]);
            case "purge" -> purge(List.of(a).subList(1, a.length));
            default -> client(a);
        }
    }

    static void client(String[] a) throws Exception {
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, BROKER,
                Settings.RESULT_BACKEND, "memory://bench-sqs")))) {
            switch (a[0]) {
                case "enqueue" -> enqueue(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]));
                case "enqueue-batch" -> enqueueBatch(app, Integer.parseInt(a[1]), Integer.parseInt(a[2]),
                        Integer.parseInt(a[3]), Integer.parseInt(a[4]));
                case "fill" -> fill(app, Integer.parseInt(a[1]), a[2], Integer.parseInt(a[3]));
                default -> throw new IllegalArgumentException("unknown command " + a[0]);
            }
        }
    }

    static void result(String key, String value) {
        System.out.println("RESULT " + key + " " + value);
        System.out.flush();
    }

    static double secs(long nanos) {
        return nanos / 1e9;
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

    static void fill(Celeriac app, int n, String queue, int batch) {
        long t0 = System.nanoTime();
        sendBatches(app, n, batch, SendOptions.defaults().queue(queue).ignoreResult(true));
        System.err.printf("filled %s with %d messages in %.1f s%n", queue, n, secs(System.nanoTime() - t0));
    }

    // ------------------------------------------------------------------ the clock: the SDK's plain client

    static SqsClient sqs() {
        String rest = BROKER.substring(BROKER.indexOf("://") + 3);
        int at = rest.lastIndexOf('@');
        String[] user = (at < 0 ? "test:test" : rest.substring(0, at)).split(":", 2);
        String host = at < 0 ? rest : rest.substring(at + 1);
        host = host.replaceAll("[/?].*$", "");
        return SqsClient.builder()
                .endpointOverride(URI.create("http://" + host))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(user[0],
                        user.length > 1 ? user[1] : "")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build();
    }

    /** The queue's URL, or null when it does not exist. */
    static String url(SqsClient sqs, String queue) {
        try {
            return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            return null;
        }
    }

    /** Messages waiting, received and not deleted, and delayed. */
    static long[] counts(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> at = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new long[] {
            Long.parseLong(at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
            Long.parseLong(at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")),
            Long.parseLong(at.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED, "0"))};
    }

    static long total(long[] c) {
        return c[0] + c[1] + c[2];
    }

    static void purge(List<String> queues) throws Exception {
        try (SqsClient sqs = sqs()) {
            for (String q : queues) {
                String url = url(sqs, q);
                if (url == null) {
                    continue;
                }
                sqs.purgeQueue(r -> r.queueUrl(url));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (total(counts(sqs, url)) != 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(q + " still holds messages 30 s after its purge");
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    static void waitEmpty(String queue) throws Exception {
        try (SqsClient sqs = sqs()) {
            String url = url(sqs, queue);
            long t0 = System.nanoTime();
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            long[] c;
            while (total(c = counts(sqs, url)) != 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(queue + " still holds " + c[0] + " waiting and " + c[1]
                            + " received messages after 10 minutes");
                }
                Thread.sleep(50);
            }
            System.err.printf("%s empty after %.1f s%n", queue, secs(System.nanoTime() - t0));
        }
    }

    static void drain(int n, String queue, String key, List<String> pids) throws Exception {
        try (SqsClient sqs = sqs()) {
            String url = url(sqs, queue);
            if (url == null) {
                throw new IllegalStateException("no queue " + queue);
            }
            // both fills wait for SQS's answer to every send: all N are there (a few may sit with the stopped
            // worker already, given to a long poll it had open)
            long[] before = counts(sqs, url);
            if (total(before) != n) {
                throw new IllegalStateException(queue + " holds " + total(before) + " messages, for " + n + " sent");
            }
            List<String> cont = new ArrayList<>(List.of("kill", "-CONT"));
            cont.addAll(pids);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cont).inheritIO().start();
            long firstAt = 0;
            long deadline = t0 + Duration.ofMinutes(20).toNanos();
            long left;
            while ((left = total(counts(sqs, url))) > 0) {
                if (firstAt == 0 && left < n) {
                    firstAt = System.nanoTime();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(left + " of " + n + " messages still on " + queue
                            + " after 20 minutes");
                }
                Thread.sleep(POLL.toMillis());
            }
            long t1 = System.nanoTime();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -CONT " + pids + " failed");
            }
            System.err.printf("%s: %d messages deleted in %.3f s (the first after %.1f ms, the rest at %.0f/s; %d"
                            + " of them waiting, %d with the stopped worker)%n", key, n, secs(t1 - t0),
                    firstAt == 0 ? Double.NaN : (firstAt - t0) / 1e6,
                    firstAt == 0 ? Double.NaN : (n - 1) / secs(t1 - firstAt), before[0], before[1]);
            result(key, String.format("%.1f", n / secs(t1 - t0)));
        }
    }
}
