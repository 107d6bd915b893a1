package org.celeriac.examples.demo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;

/**
 * The demo tasks. Numbers stay integers when both operands are (as in Python), so {@code demo.add(2, 3)}
 * answers {@code 5}, not {@code 5.0}.
 */
public class DemoTasks {

    @Task(name = "demo.add")
    public Number add(Number x, Number y) {
        if (isIntegral(x) && isIntegral(y)) {
            return narrow(toBigInteger(x).add(toBigInteger(y)));
        }
        return x.doubleValue() + y.doubleValue();
    }

    @Task(name = "demo.mul")
    public Number mul(Number x, Number y) {
        if (isIntegral(x) && isIntegral(y)) {
            return narrow(toBigInteger(x).multiply(toBigInteger(y)));
        }
        return x.doubleValue() * y.doubleValue();
    }

    @Task(name = "demo.xsum")
    public Number xsum(List<Number> numbers) {
        Number total = 0;
        for (Number n : numbers) {
            total = add(total, n);
        }
        return total;
    }

    @Task(name = "demo.echo")
    public List<Object> echo(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return List.of(args, kwargs);
    }

    @Task(name = "demo.sleep")
    public Number sleep(Number seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds.doubleValue() * 1000));
        return seconds;
    }

    /**
     * Sleeps {@code seconds} ignoring interrupts, as code that a soft time limit cannot stop: only a hard time
     * limit ends it early (the worker abandons it; this thread returns when its time is up).
     */
    @Task(name = "demo.uninterruptible")
    public Number uninterruptible(Number seconds) {
        long deadline = System.nanoTime() + Math.round(seconds.doubleValue() * 1e9);
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                // ignored on purpose
            }
        }
        return seconds;
    }

    @Task(name = "demo.fail")
    public Object fail(String message) {
        throw new IllegalStateException(message);
    }

    /** Fails the first {@code times} attempts of one task id, each retried 50 ms later, then answers {@code times}. */
    @Task(name = "demo.flaky", maxRetries = 100)
    public int flaky(int times, TaskContext task) {
        if (task.retries() < times) {
            throw task.retry(Duration.ofMillis(50),
                    new IllegalStateException("flaky attempt " + (task.retries() + 1) + " of " + (times + 1)));
        }
        return times;
    }

    /** The priority its message was sent with (Celery's {@code request.delivery_info['priority']}), 0 if none. */
    @Task(name = "demo.priority")
    public int priority(TaskContext task) {
        return task.priority();
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger;
    }

    private static BigInteger toBigInteger(Number n) {
        return n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
    }

    private static Number narrow(BigInteger value) {
        return value.bitLength() < 64 ? (Number) value.longValue() : new BigDecimal(value).toBigInteger();
    }
}
