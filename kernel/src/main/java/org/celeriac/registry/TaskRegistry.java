package org.celeriac.registry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Manifest;

import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/** The tasks a worker can run, by name. Thread-safe: task packages may come and go while it runs. */
public final class TaskRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRegistry.class);

    private final Map<String, TaskDefinition> tasks = new ConcurrentHashMap<>();
    /** When each task that went away was removed (System.nanoTime), so workers can wait out a redeploy. */
    private final Map<String, Long> removedAt = new ConcurrentHashMap<>();
    private final ObjectMapper mapper;

    public TaskRegistry() {
        this.mapper = strictMapper();
    }

    /** Argument conversion refuses what Python would refuse: no float to int, no text to number. */
    private static ObjectMapper strictMapper() {
        ObjectMapper m = new ObjectMapper()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return m;
    }

    /**
     * Registers every {@code @Task} method a class declares, public or not (an application's own tasks may be
     * package-private); returns their names.
     */
    public Set<String> register(Class<?> type) {
        return register(type, null);
    }

    /**
     * Registers the {@code @Task} methods of an object built by the caller, for tasks that need what only their host
     * can give them (the engine's builtins).
     */
    public Set<String> registerInstance(Object tasks) {
        return register(tasks.getClass(), tasks);
    }

    private Set<String> register(Class<?> type, Object given) {
        Object instance = given;
        Set<String> names = new LinkedHashSet<>();
        for (Method method : type.getDeclaredMethods()) {
            Task task = method.getAnnotation(Task.class);
            if (task == null) {
                continue;
            }
            method.setAccessible(true);
            if (!Modifier.isStatic(method.getModifiers()) && instance == null) {
                instance = instantiate(type);
            }
            TaskDefinition previous = tasks.put(task.name(), new TaskDefinition(task, method, instance, mapper));
            removedAt.remove(task.name());
            if (previous != null && !previous.location().equals(type.getName() + "." + method.getName())) {
                LOG.warn("Task {} from {} replaces the one from {}", task.name(), type.getName(), previous.location());
            }
            names.add(task.name());
        }
        return names;
    }

    /**
     * Registers the task classes named in the {@value Task#MANIFEST_HEADER} header of every manifest the class
     * loader sees: the task packages on a plain class path.
     */
    public Set<String> registerPackages(ClassLoader loader) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Enumeration<URL> manifests = loader.getResources("META-INF/MANIFEST.MF");
            for (URL url : Collections.list(manifests)) {
                String header;
                try (InputStream in = url.openStream()) {
                    header = new Manifest(in).getMainAttributes().getValue(Task.MANIFEST_HEADER);
                }
                if (header == null || header.isBlank()) {
                    continue;
                }
                for (String className : header.split(",")) {
                    try {
                        names.addAll(register(Class.forName(className.trim(), true, loader)));
                    } catch (ClassNotFoundException | LinkageError e) {
                        LOG.error("Task class {} named in {} cannot be loaded: {}", className.trim(), url, e.toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read manifests: " + e.getMessage(), e);
        }
        return names;
    }

    /** Removes every task whose class came from this class loader (a task package going away). */
    public void unregister(ClassLoader loader) {
        long now = System.nanoTime();
        tasks.entrySet().removeIf(e -> {
            if (e.getValue().classLoader() != loader) {
                return false;
            }
            removedAt.put(e.getKey(), now);
            return true;
        });
    }

    /**
     * Unregisters a package's tasks, then waits up to {@code grace} for calls of them still under way: a
     * framework discards a package's class loader right after it goes away, and a running task that loads a
     * class after that fails.
     *
     * @return whether every call finished in time
     */
    public boolean unregister(ClassLoader loader, java.time.Duration grace) throws InterruptedException {
        java.util.List<TaskDefinition> leaving = tasks.values().stream().filter(d -> d.classLoader() == loader).toList();
        unregister(loader);
        long deadline = System.nanoTime() + grace.toNanos();
        while (leaving.stream().anyMatch(d -> d.running() > 0)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Whether a task of this name was registered and went away less than {@code within} ago. */
    public boolean wasRemovedWithin(String name, java.time.Duration within) {
        Long at = removedAt.get(name);
        return at != null && System.nanoTime() - at < within.toNanos();
    }

    /** Every registered task, by name: a snapshot. */
    public Map<String, TaskDefinition> definitions() {
        return Map.copyOf(tasks);
    }

    public Optional<TaskDefinition> find(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** Task names, sorted, without Celery's builtins ({@code celery.*}), which Celery's listings leave out too. */
    public Collection<String> names() {
        TreeMap<String, TaskDefinition> sorted = new TreeMap<>(tasks);
        sorted.keySet().removeIf(n -> n.startsWith("celery."));
        return Collections.unmodifiableSet(sorted.keySet());
    }

    private static Object instantiate(Class<?> type) {
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("task class " + type.getName()
                    + " needs a no-argument constructor (or static task methods)", e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("task class " + type.getName() + " cannot be created: " + e, e);
        }
    }
}
