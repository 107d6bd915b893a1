package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.celeriac.spi.events.Event;

/**
 * Per task name, how many tasks succeeded, failed and were retried each second, and their runtimes' p50 and p95, over
 * the last {@code seconds} seconds, for the monitor's charts. Bounded: fixed rings of counters per name, runtimes in
 * a logarithmic histogram per 10-second slot (within 7.5 % of the true value), and at most {@code maxNames} names,
 * the one updated longest ago dropped first. Times are the monitor's (when an event arrived), not the workers', so
 * that a worker's skewed clock does not put its tasks off the chart. Thread-safe.
 *
 * <p>{@link #snapshot} is served as JSON at {@code /api/stats/timeseries?seconds=300&taskname=NAME} (both optional):
 * <pre>{@code
 * {"now": 1700000123,                       // the last second, epoch seconds; arrays end with it
 *  "seconds": 300, "step": 1,               // counters: one per second, oldest first
 *  "runtime_step": 10,                      // runtimes: one per 10 s slot, oldest first
 *  "tasks": {"demo.add": {"succeeded": [0, 3, ...], "failed": [...], "retried": [...],
 *                         "p50": [0.012, null, ...], "p95": [...]}}}   // seconds; null: none finished then
 * }</pre>
 */
public final class TaskTimeSeries implements StateListener {
    /** Seconds per runtime slot: percentiles need a few samples, and a second holds too few on a quiet cluster. */
    static final int RUNTIME_STEP = 10;
    /** Runtimes from 0.1 ms on, each bin 15 % wider than the last: 150 bins reach beyond a day. */
    private static final double MIN_RUNTIME = 1e-4;
    private static final double GROWTH = 1.15;
    private static final int BINS = 150;

    private final int seconds;
    private final int maxNames;
    private final LongSupplier clockMillis;
    /** By name, in the order of their last update: the first is evicted first. */
    private final LinkedHashMap<String, Series> series = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * @param seconds  how far back the series reach
     * @param maxNames how many task names are kept
     */
    public TaskTimeSeries(int seconds, int maxNames) {
        this(seconds, maxNames, System::currentTimeMillis);
    }

    TaskTimeSeries(int seconds, int maxNames, LongSupplier clockMillis) {
        if (seconds < RUNTIME_STEP || maxNames < 1) {
            throw new IllegalArgumentException("seconds must be at least " + RUNTIME_STEP + " and maxNames positive");
        }
        this.seconds = seconds - seconds % RUNTIME_STEP;
        this.maxNames = maxNames;
        this.clockMillis = clockMillis;
    }

    /** Counts a task event: {@code task-succeeded} (with its {@code runtime}), {@code task-failed}, {@code task-retried}. */
    @Override
    public void applied(Event event, String taskName) {
        int counter = switch (event.type()) {
            case "task-succeeded" -> 0;
            case "task-failed" -> 1;
            case "task-retried" -> 2;
            default -> -1;
        };
        if (counter < 0 || taskName == null) {
            return;
        }
        long now = clockMillis.getAsLong() / 1000;
        Double runtime = counter == 0 && event.fields().get("runtime") instanceof Number r ? r.doubleValue() : null;
        synchronized (this) {
            Series s = series.computeIfAbsent(taskName, n -> new Series(seconds));
            while (series.size() > maxNames) {
                series.remove(series.keySet().iterator().next());
            }
            s.count(counter, now);
            if (runtime != null) {
                s.runtime(runtime, now);
            }
        }
    }

    /**
     * The last {@code window} seconds (at most those kept) of each task name, or of the one named; names sorted.
     * The shape is in the class comment.
     */
    public Map<String, Object> snapshot(int window, String taskName) {
        long now = clockMillis.getAsLong() / 1000;
        int clamped = Math.max(RUNTIME_STEP, Math.min(window, seconds));
        int n = clamped - clamped % RUNTIME_STEP;
        Map<String, Object> tasks = new TreeMap<>();
        synchronized (this) {
            // a plain get would reorder the access-ordered map: eviction follows updates, not reads
            series.entrySet().stream().filter(e -> taskName == null || taskName.equals(e.getKey()))
                    .forEach(e -> tasks.put(e.getKey(), e.getValue().render(now, n)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now);
        out.put("seconds", n);
        out.put("step", 1);
        out.put("runtime_step", RUNTIME_STEP);
        out.put("tasks", tasks);
        return out;
    }

    /** One task name's rings: a slot is reused when its second comes round again, and reads as empty until then. */
    private static final class Series {
        private final int[][] counts;
        private final long[] countSecond;
        private final int[][] bins;
        private final long[] binSlot;

        Series(int seconds) {
            counts = new int[3][seconds];
            countSecond = new long[seconds];
            Arrays.fill(countSecond, -1);
            bins = new int[seconds / RUNTIME_STEP][];
            binSlot = new long[seconds / RUNTIME_STEP];
            Arrays.fill(binSlot, -1);
        }

        void count(int counter, long second) {
            int i = (int) (second % countSecond.length);
            if (countSecond[i] != second) {
                countSecond[i] = second;
                for (int[] c : counts) {
                    c[i] = 0;
                }
            }
            counts[counter][i]++;
        }

        void runtime(double runtime, long second) {
            long slot = second / RUNTIME_STEP;
            int i = (int) (slot % binSlot.length);
            if (binSlot[i] != slot) {
                binSlot[i] = slot;
                if (bins[i] == null) {
                    bins[i] = new int[BINS];
                } else {
                    Arrays.fill(bins[i], 0);
                }
            }
            bins[i][bin(runtime)]++;
        }

        Map<String, Object> render(long now, int n) {
            String[] names = {"succeeded", "failed", "retried"};
            Map<String, Object> out = new LinkedHashMap<>();
            for (int c = 0; c < names.length; c++) {
                int[] values = new int[n];
                for (int k = 0; k < n; k++) {
                    long second = now - n + 1 + k;
                    int i = (int) (second % countSecond.length);
                    values[k] = countSecond[i] == second ? counts[c][i] : 0;
                }
                out.put(names[c], values);
            }
            int slots = n / RUNTIME_STEP;
            List<Double> p50 = new ArrayList<>(slots);
            List<Double> p95 = new ArrayList<>(slots);
            long last = now / RUNTIME_STEP;
            for (long slot = last - slots + 1; slot <= last; slot++) {
                int i = (int) (slot % binSlot.length);
                int[] h = binSlot[i] == slot ? bins[i] : null;
                p50.add(percentile(h, 0.50));
                p95.add(percentile(h, 0.95));
            }
            out.put("p50", p50);
            out.put("p95", p95);
            return out;
        }
    }

    static int bin(double runtime) {
        if (runtime <= MIN_RUNTIME) {
            return 0;
        }
        int b = 1 + (int) (Math.log(runtime / MIN_RUNTIME) / Math.log(GROWTH));
        return Math.min(b, BINS - 1);
    }

    /** The middle of the bin that holds the q-quantile, or null for no runtimes. */
    static Double percentile(int[] histogram, double q) {
        if (histogram == null) {
            return null;
        }
        long total = 0;
        for (int c : histogram) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < histogram.length; b++) {
            seen += histogram[b];
            if (seen >= Math.max(rank, 1)) {
                return b == 0 ? MIN_RUNTIME : MIN_RUNTIME * Math.pow(GROWTH, b - 0.5);
            }
        }
        return null;
    }
}
