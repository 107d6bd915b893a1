import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

/**
 * Celeriac's side of bench/run-backend: a result backend's store and read from one thread, as backend_bench.py does
 * for Celery. {@code BackendBench URL N REPS} prints RESULT lines with the best of REPS loops, per second.
 */
public final class BackendBench {
    public static void main(String[] a) throws Exception {
        String url = a[0];
        int n = Integer.parseInt(a[1]);
        int reps = Integer.parseInt(a[2]);
        ResultBackend backend = new ServiceLoaderCatalog().backendFor(url).open(url, Map.of());
        double bestStore = 0;
        double bestRead = 0;
        for (int r = 0; r < reps + 1; r++) { // the first loop warms the JIT and is not counted
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(UUID.randomUUID().toString());
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                backend.store(new TaskResult(ids.get(i), TaskState.SUCCESS, i, null, List.of(), Instant.now(),
                        Map.of()), Duration.ofDays(1));
            }
            long t1 = System.nanoTime();
            for (String id : ids) {
                backend.get(id);
            }
            long t2 = System.nanoTime();
            double store = n / ((t1 - t0) / 1e9);
            double read = n / ((t2 - t1) / 1e9);
            System.err.printf("celeriac store %.0f/s read %.0f/s%s%n", store, read, r == 0 ? " (warm-up)" : "");
            if (r > 0) {
                bestStore = Math.max(bestStore, store);
                bestRead = Math.max(bestRead, read);
            }
        }
        backend.close();
        System.out.printf("RESULT celeriac.store %.0f%nRESULT celeriac.read %.0f%n", bestStore, bestRead);
    }
}
