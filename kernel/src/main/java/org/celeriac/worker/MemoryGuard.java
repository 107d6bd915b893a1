package org.celeriac.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.function.DoubleSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the consumer to stop taking messages while the heap is fuller than a share of its maximum
 * ({@code worker_max_memory_percent}). Celery's {@code worker_max_memory_per_child} replaces a process that grew;
 * a JVM cannot shed a thread's memory that way, so the worker pauses instead and lets running tasks finish.
 */
final class MemoryGuard {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);

    private final int maxPercent;
    private final DoubleSupplier heapShare;
    private volatile boolean paused;

    /**
     * @param maxPercent 0 for never
     * @param heapShare  the heap's fill, 0 to 1
     */
    MemoryGuard(int maxPercent, DoubleSupplier heapShare) {
        this.maxPercent = maxPercent;
        this.heapShare = heapShare;
    }

    boolean enabled() {
        return maxPercent > 0;
    }

    /** Whether the consumer should hold off now; checked by the timer via {@link #check()}. */
    boolean paused() {
        return paused;
    }

    /** Reads the heap's fill and pauses or resumes, logging each change. */
    void check() {
        if (!enabled()) {
            return;
        }
        double share = heapShare.getAsDouble();
        boolean over = share * 100 > maxPercent;
        if (over && !paused) {
            LOG.warn("Heap {}% full after garbage collection, above worker_max_memory_percent {}%: "
                    + "taking no new messages until it falls back", Math.round(share * 100), maxPercent);
        } else if (!over && paused) {
            LOG.info("Heap {}% full, below worker_max_memory_percent {}%: taking messages again",
                    Math.round(share * 100), maxPercent);
        }
        paused = over;
    }

    /**
     * The heap's fill after the last garbage collection, as a share of its maximum: what live objects take, not the
     * garbage waiting for the next collection. A pool not collected yet counts as empty (HotSpot reports its use
     * after collection as 0 until then, even for objects allocated straight into it, as G1's humongous ones), and a
     * pool that keeps no such figure counts at its current use.
     */
    static double heapAfterGc() {
        long used = 0;
        long max = Runtime.getRuntime().maxMemory();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP || !p.isValid()) {
                continue;
            }
            MemoryUsage afterGc = p.isCollectionUsageThresholdSupported() ? p.getCollectionUsage() : null;
            used += afterGc != null ? afterGc.getUsed() : p.getUsage().getUsed();
        }
        return max <= 0 || max == Long.MAX_VALUE ? 0 : (double) used / max;
    }
}
