package org.celeriac.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.app.Celeriac;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.json.JsonSerializer;
import org.celeriac.memory.MemoryResultBackendFactory;
import org.celeriac.memory.MemoryTransportFactory;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.spi.transport.TransportFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AppSupervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableCatalog catalog = new MutableCatalog();
    private final TaskRegistry tasks = new TaskRegistry();
    private final Events events = new Events();
    private final MemoryTransportFactory transport = new MemoryTransportFactory();
    private final MemoryResultBackendFactory backend = new MemoryResultBackendFactory();
    private final JsonSerializer json = new JsonSerializer();
    private AppSupervisor supervisor;
    private String name;

    @BeforeEach
    void setUp() {
        tasks.register(SupervisedTasks.class);
        supervisor = new AppSupervisor(catalog, tasks, events);
        name = "memory://" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        supervisor.close();
    }

    private RuntimeConfig config(Map<String, String> extra) {
        Map<String, Object> properties = new java.util.HashMap<>(Map.of("broker_url", name, "result_backend", name,
                "worker_concurrency", "2", "service.pid", "org.celeriac"));
        properties.putAll(extra);
        return RuntimeConfig.from(properties);
    }

    private void add(Object plugin) {
        catalog.add(plugin);
        supervisor.pluginAdded(plugin);
    }

    private void remove(Object plugin) {
        catalog.remove(plugin);
        supervisor.pluginRemoved(plugin);
    }

    private static Object twice(Celeriac app, int x) throws Exception {
        return app.client().send("supervised.twice", List.of(x), Map.of()).get(WAIT);
    }

    @Test
    void waitsForTheTransportOfItsSchemeThenRunsTasks() throws Exception {
        add(backend);
        add(json);
        supervisor.configure(config(Map.of()));
        supervisor.awaitQuiet();
        assertThat(events.opened).isEmpty();

        add(transport);

        Celeriac app = events.nextOpened();
        assertThat(twice(app, 21)).isEqualTo(42);
    }

    @Test
    void pausesBeforeTheTransportInUseIsGoneAndResumesWhenItIsBack() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        Celeriac first = events.nextOpened();

        remove(transport);

        // Closed by the time the removal returns: the provider may be deactivated right after.
        assertThat(events.closing).containsExactly(first);
        assertThat(events.opened).isEmpty();

        add(transport);
        Celeriac second = events.nextOpened();
        assertThat(second).isNotSameAs(first);
        assertThat(twice(second, 5)).isEqualTo(10);
    }

    @Test
    void resumesWithAnotherFactoryForTheSameScheme() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        events.nextOpened();

        MemoryTransportFactory replacement = new MemoryTransportFactory();
        catalog.add(replacement); // a second factory for memory://, not used while the first is there
        supervisor.pluginAdded(replacement);
        supervisor.awaitQuiet();
        assertThat(events.closing).isEmpty();
        remove(transport);

        Celeriac resumed = events.nextOpened();
        assertThat(resumed.transport()).isNotNull();
        assertThat(twice(resumed, 4)).isEqualTo(8);
    }

    @Test
    void pluginsNotInUseComeAndGoWithoutAPause() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        Celeriac app = events.nextOpened();

        TransportFactory other = new NamedTransportFactory("redis", new AtomicInteger());
        add(other);
        remove(other);
        supervisor.awaitQuiet();

        assertThat(events.closing).isEmpty();
        assertThat(twice(app, 1)).isEqualTo(2);
    }

    @Test
    void restartsOnANewConfiguration() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        Celeriac first = events.nextOpened();

        supervisor.configure(config(Map.of("task_default_queue", "other", "worker_queues", "other")));

        Celeriac second = events.nextOpened();
        assertThat(events.closing).containsExactly(first);
        assertThat(second.settings().get("task_default_queue")).isEqualTo("other");
        assertThat(twice(second, 3)).isEqualTo(6);
    }

    @Test
    void theSameConfigurationAgainChangesNothing() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        events.nextOpened();

        supervisor.configure(config(Map.of("felix.fileinstall.filename", "file:/etc/org.celeriac.cfg")));
        supervisor.awaitQuiet();

        assertThat(events.closing).isEmpty();
    }

    @Test
    void withTheWorkerDisabledOnlyTheClientRuns() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of("worker_enabled", "false")));
        Celeriac app = events.nextOpened();

        app.client().send("supervised.twice", List.of(1), Map.of());
        Thread.sleep(300);

        assertThat(app.transport().size("celery")).isEqualTo(1);
    }

    @Test
    void anInvalidConfigurationWaitsForACorrectedOne() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of("worker_concurrency", "many")));
        supervisor.awaitQuiet();
        assertThat(events.opened).isEmpty();

        supervisor.configure(config(Map.of("worker_concurrency", "1")));

        assertThat(twice(events.nextOpened(), 7)).isEqualTo(14);
    }

    @Test
    void aBrokerThatCannotBeReachedIsTriedAgain() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        add(json);
        add(backend);
        add(new NamedTransportFactory("flaky", attempts));
        supervisor.configure(RuntimeConfig.from(Map.of("broker_url", "flaky://x", "result_backend", name)));

        Celeriac app = events.nextOpened();

        assertThat(attempts).hasValue(2);
        assertThat(twice(app, 8)).isEqualTo(16);
    }

    @Test
    void closingStopsTheAppAndIgnoresLaterEvents() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of()));
        Celeriac app = events.nextOpened();

        supervisor.close();
        remove(transport);
        add(transport);

        assertThat(events.closing).containsExactly(app);
        assertThat(events.opened).isEmpty();
    }

    @Test
    void stopNowCutsTheWarmStopShortAndGivesTheRunningLateAckTaskBackToTheBroker() throws Exception {
        add(json);
        add(backend);
        add(transport);
        supervisor.configure(config(Map.of("worker_concurrency", "1", "task_acks_late", "true",
                "task_track_started", "true")));
        Celeriac app = events.nextOpened();
        String id = app.client().send("supervised.sleep", List.of(60_000), Map.of()).id();
        awaitState(app, id, TaskState.STARTED);
        Thread warm = new Thread(supervisor::close, "warm-stop");
        warm.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.closing.isEmpty()) { // the warm stop is under way, waiting for the task
            assertThat(System.nanoTime()).as("the warm stop began within %s", WAIT).isLessThan(deadline);
            Thread.sleep(10);
        }

        long start = System.nanoTime();
        supervisor.stopNow();
        warm.join(WAIT.toMillis());

        assertThat(warm.isAlive()).as("the warm stop ended by the cold one").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
        try (Celeriac next = Celeriac.open(app.settings(), catalog, tasks)) {
            assertThat(next.client().result(id).result().state()).as("nothing stored after STARTED")
                    .isEqualTo(TaskState.STARTED);
            assertThat(next.transport().size("celery")).as("the late-ack message back on the queue").isEqualTo(1L);
        }
    }

    private static void awaitState(Celeriac app, String id, TaskState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (app.client().result(id).result().state() != state) {
            assertThat(System.nanoTime()).as("%s reached %s within %s", id, state, WAIT).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A catalog whose plugins the test adds and removes. */
    private static final class MutableCatalog implements PluginCatalog {
        private final List<Object> plugins = new CopyOnWriteArrayList<>();

        void add(Object plugin) {
            plugins.add(plugin);
        }

        void remove(Object plugin) {
            plugins.remove(plugin);
        }

        private <T> List<T> of(Class<T> type) {
            List<T> out = new ArrayList<>();
            plugins.stream().filter(type::isInstance).map(type::cast).forEach(out::add);
            return out;
        }

        @Override
        public List<TransportFactory> transports() {
            return of(TransportFactory.class);
        }

        @Override
        public List<ResultBackendFactory> backends() {
            return of(ResultBackendFactory.class);
        }

        @Override
        public List<Serializer> serializers() {
            return of(Serializer.class);
        }
    }

    /** Serves a scheme with in-memory transports; the first open fails as an unreachable broker does. */
    private static final class NamedTransportFactory implements TransportFactory {
        private final String scheme;
        private final AtomicInteger attempts;
        private final MemoryTransportFactory memory = new MemoryTransportFactory();

        NamedTransportFactory(String scheme, AtomicInteger attempts) {
            this.scheme = scheme;
            this.attempts = attempts;
        }

        @Override
        public java.util.Set<String> schemes() {
            return java.util.Set.of(scheme);
        }

        @Override
        public Transport open(String url, Map<String, String> options) {
            if (attempts.incrementAndGet() == 1) {
                throw new TransportException("connection refused");
            }
            return memory.open(url, options);
        }
    }

    /** Records what the supervisor reports. */
    private static final class Events implements AppSupervisor.AppListener {
        final BlockingQueue<Celeriac> opened = new LinkedBlockingQueue<>();
        final List<Celeriac> closing = new CopyOnWriteArrayList<>();

        @Override
        public void opened(Celeriac app) {
            opened.add(app);
        }

        @Override
        public void closing(Celeriac app) {
            closing.add(app);
        }

        Celeriac nextOpened() throws InterruptedException {
            Celeriac app = opened.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(app).as("an app opened within %s", WAIT).isNotNull();
            return app;
        }
    }
}
