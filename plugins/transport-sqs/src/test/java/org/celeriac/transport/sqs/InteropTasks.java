package org.celeriac.transport.sqs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;

/**
 * The Celeriac side of demo.add, as the Python peer's worker has it: positional numbers summed, kwargs ignored; and a
 * slow task that counts its runs by key (tests pass fresh keys).
 */
public class InteropTasks {

    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @Task(name = "sqs.slow")
    public int slow(String key, Number seconds) throws InterruptedException {
        int run = RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Thread.sleep((long) (seconds.doubleValue() * 1000));
        return run;
    }

    @Task(name = "demo.add")
    public long add(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return args.stream().mapToLong(a -> ((Number) a).longValue()).sum();
    }
}
