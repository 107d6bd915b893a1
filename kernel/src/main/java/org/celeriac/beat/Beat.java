package org.celeriac.beat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.celeriac.spi.beat.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Celery's beat: sends each periodic entry's task when its schedule says, and records the tick in a
 * {@link ScheduleStore}, so that a restart neither skips nor repeats it.
 *
 * <p>Any number of beats may share one store: only the holder of the store's lease sends. The holder renews the lease
 * a third of its TTL at a time and sends only while its own clock says the lease cannot have expired; the others try
 * to take it every second or so, and one does once the holder stops renewing (it died, or lost the store). A tick is
 * recorded after its task is sent, so a holder that dies between the two costs one duplicate of that tick, never a
 * missed one.
 *
 * <p>Ticks are the schedule's instants, not the moments beat got round to them: an entry every second sends sixty
 * tasks a minute however late each send is. Ticks that passed while no beat ran are sent once, or skipped, as
 * {@link BeatSettings#missedRun()} says; a tick is current, and sent either way, while it is less than a lease TTL and a
 * loop interval old, the longest a takeover takes.
 */
public final class Beat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Beat.class);
    /** How far in the future a recorded run may lie before beat takes it for a clock that moved back. */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(1);
    /** Bounds the walk over the ticks missed while down (an entry every millisecond, down for a day). */
    private static final int MAX_TICKS_WALKED = 100_000;
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    /** Where run-time entries come from; they win over the other sources' entries of the same name. */
    private static final String STORE = "store";

    private final ScheduleStore store;
    private final BeatSender sender;
    private final BeatSettings settings;
    private final Clock clock;
    private final StoredEntries stored;
    private final Map<String, Supplier<List<BeatEntry>>> sources = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean running;
    private volatile boolean leading;
    private Thread thread;
    /** System.nanoTime until which the lease is surely ours, and from which it is renewed. */
    private long leaseValidUntil;
    private long renewAt;

    public Beat(ScheduleStore store, BeatSender sender, BeatSettings settings, Clock clock) {
        this.store = store;
        this.sender = sender;
        this.settings = settings;
        this.clock = clock;
        this.stored = new StoredEntries(store, settings.zone());
    }

    public BeatSettings settings() {
        return settings;
    }

    /** The entries a source ({@code file}, a task package) contributes, replacing what it gave before. */
    public void entries(String source, Collection<BeatEntry> entries) {
        List<BeatEntry> copy = List.copyOf(entries);
        sources.put(source, () -> copy);
        wakeUp();
    }

    /** A source whose entries change by themselves (the deployed task packages'): asked at every look. */
    public void entries(String source, Supplier<List<BeatEntry>> entries) {
        sources.put(source, entries);
        wakeUp();
    }

    /** Drops the entries of a source (a task package undeployed). */
    public void removeEntries(String source) {
        sources.remove(source);
        wakeUp();
    }

    /** The run-time entries kept in the store: added and removed there, they reach every beat of the store. */
    public StoredEntries stored() {
        return stored;
    }

    /** Every entry this beat schedules: its sources' and the store's, by name. */
    public Map<String, BeatEntry> entries() {
        Map<String, BeatEntry> all = new LinkedHashMap<>();
        sources.forEach((source, entries) -> entries.get().forEach(e -> put(all, e, source)));
        stored.all().values().forEach(e -> put(all, e, STORE));
        return all;
    }

    private static void put(Map<String, BeatEntry> all, BeatEntry e, String source) {
        BeatEntry before = all.put(e.name(), e);
        if (before != null && !before.equals(e)) {
            LOG.debug("Beat: entry '{}' from {} replaces another of that name", e.name(), source);
        }
    }

    /** Whether this beat holds the lease and sends. */
    public boolean leading() {
        return leading;
    }

    /** Tasks this beat has sent. */
    public long sent() {
        return sent.get();
    }

    /**
     * One look at the store: takes or renews the lease when due, and, holding it, sends the entries due now.
     *
     * @return how long until the next look is due
     */
    public synchronized Duration runOnce() {
        long t0 = System.nanoTime();
        if (!leading || t0 - renewAt >= 0) {
            boolean was = leading;
            leading = store.acquireLease(settings.holder(), settings.leaseTtl());
            long ttl = settings.leaseTtl().toNanos();
            if (!leading) {
                if (was) {
                    LOG.warn("Beat {}: lost the lease to {}; standing by", settings.holder(),
                            store.leaseHolder().orElse("no one"));
                }
                return min(settings.leaseTtl().dividedBy(5), settings.maxInterval(), Duration.ofSeconds(1));
            }
            // sure until the TTL less a quarter, counted from before the request: the store's clock may run fast
            leaseValidUntil = t0 + ttl - ttl / 4;
            renewAt = t0 + ttl / 3;
            if (!was) {
                LOG.info("Beat {}: holds the lease; sending", settings.holder());
            }
        }
        Instant now = clock.instant();
        Map<String, Instant> lastRuns = store.lastRuns();
        Instant wakeAt = now.plus(settings.maxInterval());
        for (BeatEntry e : entries().values()) {
            if (System.nanoTime() - leaseValidUntil >= 0) {
                return Duration.ZERO; // renew before sending any more
            }
            Instant next = handle(e, lastRuns.get(e.name()), now);
            if (next != null && next.isBefore(wakeAt)) {
                wakeAt = next;
            }
        }
        Duration untilTick = Duration.between(clock.instant(), wakeAt);
        Duration untilRenew = Duration.ofNanos(renewAt - System.nanoTime());
        Duration d = min(untilTick, untilRenew, settings.maxInterval());
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Sends the entry if a tick of it is due, records it; returns its next tick, or null for none. */
    private Instant handle(BeatEntry e, Instant last, Instant now) {
        Schedule schedule = e.schedule();
        if (last == null) {
            // as Celery's beat, a new entry counts from now: an entry every hour first runs an hour later
            Instant anchor = now.truncatedTo(ChronoUnit.MILLIS);
            store.recordRun(e.name(), anchor);
            return schedule.nextAfter(anchor).orElse(null);
        }
        if (last.isAfter(now.plus(CLOCK_SKEW))) {
            LOG.warn("Beat: entry '{}' last ran at {}, after now ({}): the clock moved back; counting from now",
                    e.name(), last, now);
            Instant anchor = now.truncatedTo(ChronoUnit.MILLIS);
            store.forgetRun(e.name());
            store.recordRun(e.name(), anchor);
            return schedule.nextAfter(anchor).orElse(null);
        }
        Optional<Instant> first = schedule.nextAfter(last);
        if (first.isEmpty() || first.get().isAfter(now)) {
            return first.orElse(null);
        }
        Instant latest = first.get();
        int walked = 0;
        for (Optional<Instant> t = schedule.nextAfter(latest); t.isPresent() && !t.get().isAfter(now);
                t = schedule.nextAfter(t.get())) {
            latest = t.get();
            if (++walked == MAX_TICKS_WALKED) {
                latest = now;
                break;
            }
        }
        boolean current = Duration.between(latest, now).compareTo(grace()) <= 0;
        if (!current || walked > 0) {
            LOG.info("Beat: entry '{}' missed {} tick(s) from {}; {}", e.name(), walked + (current ? 0 : 1),
                    first.get(), current || settings.missedRun() == MissedRun.ONCE ? "sending one" : "skipping them");
        }
        if (current || settings.missedRun() == MissedRun.ONCE) {
            String id = sender.send(e);
            sent.incrementAndGet();
            LOG.info("Scheduler: Sending due task {} ({}) for {}: {}", e.name(), e.task(), latest, id);
        }
        store.recordRun(e.name(), latest);
        return schedule.nextAfter(latest).orElse(null);
    }

    /** How late a tick may be and still count as current rather than missed: the longest a takeover takes. */
    private Duration grace() {
        return settings.leaseTtl().plus(settings.maxInterval());
    }

    /** Starts the beat's thread. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "celeriac-beat");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Beat {} started: lease {} s, missed runs: {}, zone {}", settings.holder(),
                settings.leaseTtl().toMillis() / 1000.0, settings.missedRun().name().toLowerCase(java.util.Locale.ROOT),
                settings.zone());
    }

    private void loop() {
        Duration retry = Duration.ofMillis(500);
        while (running) {
            Duration wait;
            try {
                wait = runOnce();
                retry = Duration.ofMillis(500);
            } catch (RuntimeException e) {
                LOG.warn("Beat {}: {}; trying again in {} ms", settings.holder(), e.toString(), retry.toMillis());
                wait = retry;
                retry = min(retry.multipliedBy(2), MAX_RETRY, MAX_RETRY);
            }
            sleep(wait);
        }
    }

    private void sleep(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (wake) {
            long left;
            while (running && !woken && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    private void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /** Stops the thread and gives up the lease, so that another beat takes over at once. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        wakeUp();
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (leading) {
                leading = false;
                try {
                    store.releaseLease(settings.holder());
                } catch (RuntimeException e) {
                    LOG.warn("Beat {}: could not give up the lease (it expires by itself): {}", settings.holder(),
                            e.toString());
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b, Duration c) {
        Duration m = a.compareTo(b) <= 0 ? a : b;
        return m.compareTo(c) <= 0 ? m : c;
    }
}
