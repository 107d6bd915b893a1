package org.celeriac.registry;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One task: its {@link Task} options and the method that runs it. Binding follows Python's rules: positional
 * arguments fill parameters in order, keyword arguments by name, {@link Args}/{@link Kwargs} take the rest,
 * {@code Optional} parameters may be left out; anything else missing or left over is an error.
 */
public final class TaskDefinition {

    private final Task options;
    private final Method method;
    private final Object target;
    private final Parameter[] parameters;
    private final ObjectMapper mapper;
    /** Calls under way, so that a task package going away can let them finish while its classes still load. */
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

    TaskDefinition(Task options, Method method, Object target, ObjectMapper mapper) {
        this.options = options;
        this.method = method;
        this.target = target;
        this.parameters = method.getParameters();
        this.mapper = mapper;
    }

    public String name() {
        return options.name();
    }

    public Task options() {
        return options;
    }

    /** The schedules its package gives it ({@code @Periodic}), for beat; empty for most tasks. */
    public java.util.List<org.celeriac.task.Periodic> periodic() {
        return java.util.List.of(method.getAnnotationsByType(org.celeriac.task.Periodic.class));
    }

    /** The method, as {@code Class.method}, for logs. */
    public String location() {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }

    /** The class loader of the task package, for the task thread's context. */
    public ClassLoader classLoader() {
        return method.getDeclaringClass().getClassLoader();
    }

    /** Converts JSON arguments to the method's parameter values. */
    public Object[] bind(List<Object> args, Map<String, Object> kwargs, TaskContext context)
            throws ArgumentMismatchException {
        Object[] values = new Object[parameters.length];
        boolean[] bound = new boolean[parameters.length];
        Map<String, Object> remainingKwargs = new LinkedHashMap<>(kwargs);
        int restArgs = -1;
        int restKwargs = -1;
        int next = 0;
        List<Integer> named = new ArrayList<>();
        for (int i = 0; i < parameters.length; i++) {
            Parameter p = parameters[i];
            if (p.getType() == TaskContext.class) {
                values[i] = context;
                bound[i] = true;
            } else if (p.isAnnotationPresent(Args.class)) {
                restArgs = i;
            } else if (p.isAnnotationPresent(Kwargs.class)) {
                restKwargs = i;
            } else {
                named.add(i);
            }
        }
        for (int i : named) {
            if (next < args.size()) {
                values[i] = convert(args.get(next++), parameters[i]);
                bound[i] = true;
            }
        }
        if (next < args.size()) {
            if (restArgs < 0) {
                throw new ArgumentMismatchException(name() + "() takes " + named.size()
                        + " positional argument" + (named.size() == 1 ? "" : "s") + " but " + args.size()
                        + (args.size() == 1 ? " was" : " were") + " given");
            }
        }
        for (int i : named) {
            String key = parameters[i].getName();
            if (remainingKwargs.containsKey(key)) {
                if (bound[i]) {
                    throw new ArgumentMismatchException(name() + "() got multiple values for argument '" + key + "'");
                }
                values[i] = convert(remainingKwargs.remove(key), parameters[i]);
                bound[i] = true;
            }
        }
        if (!remainingKwargs.isEmpty() && restKwargs < 0) {
            throw new ArgumentMismatchException(name() + "() got an unexpected keyword argument '"
                    + remainingKwargs.keySet().iterator().next() + "'" + namesHint());
        }
        List<String> missing = new ArrayList<>();
        for (int i : named) {
            if (!bound[i]) {
                if (parameters[i].getType() == Optional.class) {
                    values[i] = Optional.empty();
                } else {
                    missing.add("'" + parameters[i].getName() + "'");
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ArgumentMismatchException(name() + "() missing " + missing.size() + " required argument"
                    + (missing.size() == 1 ? "" : "s") + ": " + String.join(", ", missing));
        }
        if (restArgs >= 0) {
            values[restArgs] = new ArrayList<>(args.subList(Math.min(next, args.size()), args.size()));
        }
        if (restKwargs >= 0) {
            values[restKwargs] = remainingKwargs;
        }
        return values;
    }

    /**
     * Runs the task method.
     *
     * @throws Throwable what the task threw (unwrapped)
     */
    public Object invoke(Object[] values) throws Throwable {
        running.incrementAndGet();
        try {
            return method.invoke(Modifier.isStatic(method.getModifiers()) ? null : target, values);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            running.decrementAndGet();
        }
    }

    int running() {
        return running.get();
    }

    private Object convert(Object value, Parameter p) throws ArgumentMismatchException {
        JavaType type = mapper.getTypeFactory().constructType(p.getParameterizedType());
        try {
            if (type.getRawClass() == Optional.class) {
                JavaType inner = type.containedTypeOrUnknown(0);
                return Optional.ofNullable(value == null ? null : mapper.convertValue(value, inner));
            }
            if (value == null && p.getType().isPrimitive()) {
                throw new ArgumentMismatchException(name() + "() argument '" + p.getName() + "' must not be None");
            }
            return mapper.convertValue(value, type);
        } catch (IllegalArgumentException e) {
            throw new ArgumentMismatchException(name() + "() argument '" + p.getName() + "' must be "
                    + p.getParameterizedType().getTypeName().replace("java.lang.", "").replace("java.util.", "")
                    + ", not " + describe(value));
        }
    }

    private String namesHint() {
        return parameters.length > 0 && parameters[0].isNamePresent() ? ""
                : " (compile the task package with -parameters to pass arguments by name)";
    }

    private static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        String text = String.valueOf(value);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return value.getClass().getSimpleName() + " " + text;
    }
}
