package org.celeriac.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;
import org.junit.jupiter.api.Test;

class TaskDefinitionTest {

    public static class Tasks {
        @Task(name = "t.add")
        public long add(long x, long y) {
            return x + y;
        }

        @Task(name = "t.greet")
        public String greet(String name, Optional<String> greeting) {
            return greeting.orElse("hello") + " " + name;
        }

        @Task(name = "t.rest")
        public List<Object> rest(String first, @Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
            return List.of(first, args, kwargs);
        }

        @Task(name = "t.ctx")
        public static String ctx(TaskContext context, int n) {
            return context.id() + n;
        }

        @Task(name = "t.slow")
        public String slow(long millis) throws InterruptedException {
            Thread.sleep(millis);
            return "done";
        }

        @Task(name = "t.points")
        public int points(List<Point> points) {
            return points.stream().mapToInt(p -> p.x() + p.y()).sum();
        }
    }

    public record Point(int x, int y) {
    }

    /** An application's internal tasks, package-private as the rest of its code. */
    static class InternalTasks {
        private InternalTasks() {
        }

        @Task(name = "t.internal")
        String internal(String s) {
            return s + "!";
        }
    }

    private final TaskRegistry registry = new TaskRegistry();

    {
        registry.register(Tasks.class);
    }

    private Object call(String name, List<Object> args, Map<String, Object> kwargs) throws Throwable {
        TaskDefinition d = registry.find(name).orElseThrow();
        return d.invoke(d.bind(args, kwargs, null));
    }

    @Test
    void bindsPositionalAndKeywordArguments() throws Throwable {
        assertThat(call("t.add", List.of(2, 3), Map.of())).isEqualTo(5L);
        assertThat(call("t.add", List.of(2), Map.of("y", 3))).isEqualTo(5L);
        assertThat(call("t.add", List.of(), Map.of("y", 3, "x", 2))).isEqualTo(5L);
    }

    @Test
    void leavesOptionalParametersOut() throws Throwable {
        assertThat(call("t.greet", List.of("bob"), Map.of())).isEqualTo("hello bob");
        assertThat(call("t.greet", List.of("bob"), Map.of("greeting", "hi"))).isEqualTo("hi bob");
    }

    @Test
    void collectsRemainingArgumentsLikePythonStarArgs() throws Throwable {
        assertThat(call("t.rest", List.of("a", 1, 2), Map.of("k", true)))
                .isEqualTo(List.of("a", List.of(1, 2), Map.of("k", true)));
    }

    @Test
    void convertsJsonObjectsToParameterTypes() throws Throwable {
        assertThat(call("t.points", List.of(List.of(Map.of("x", 1, "y", 2), Map.of("x", 3, "y", 4))), Map.of()))
                .isEqualTo(10);
    }

    @Test
    void passesTaskContextWhereDeclared() throws Throwable {
        TaskDefinition d = registry.find("t.ctx").orElseThrow();
        TaskContext ctx = new TaskContext() {
            public String id() { return "id-"; }
            public String name() { return "t.ctx"; }
            public int retries() { return 0; }
            public Map<String, Object> headers() { return Map.of(); }
            public org.celeriac.task.Retry retry(java.time.Duration c, Throwable t) { return null; }
        };
        assertThat(d.invoke(d.bind(List.of(7), Map.of(), ctx))).isEqualTo("id-7");
    }

    @Test
    void reportsMissingArgumentAsPythonWould() {
        assertThatThrownBy(() -> call("t.add", List.of(1), Map.of()))
                .isInstanceOf(ArgumentMismatchException.class)
                .hasMessage("t.add() missing 1 required argument: 'y'");
    }

    @Test
    void reportsTooManyPositionalArguments() {
        assertThatThrownBy(() -> call("t.add", List.of(1, 2, 3), Map.of()))
                .hasMessage("t.add() takes 2 positional arguments but 3 were given");
    }

    @Test
    void reportsUnexpectedAndDuplicateKeywordArguments() {
        assertThatThrownBy(() -> call("t.add", List.of(1, 2), Map.of("z", 1)))
                .hasMessage("t.add() got an unexpected keyword argument 'z'");
        assertThatThrownBy(() -> call("t.add", List.of(1, 2), Map.of("x", 1)))
                .hasMessage("t.add() got multiple values for argument 'x'");
    }

    @Test
    void refusesValuesOfTheWrongType() {
        assertThatThrownBy(() -> call("t.add", List.of("two", 3), Map.of()))
                .isInstanceOf(ArgumentMismatchException.class)
                .hasMessageContaining("t.add() argument 'x' must be long, not String two");
        assertThatThrownBy(() -> call("t.add", List.of(2.5, 3), Map.of()))
                .hasMessageContaining("argument 'x' must be long");
        assertThatThrownBy(() -> call("t.add", java.util.Arrays.asList(null, 3), Map.of()))
                .hasMessageContaining("argument 'x' must not be None");
    }

    @Test
    void findsTaskClassesThroughManifestHeader() {
        TaskRegistry fresh = new TaskRegistry();
        // The kernel's test class path has no task package: nothing found, nothing thrown.
        assertThat(fresh.registerPackages(getClass().getClassLoader())).isEmpty();
    }

    @Test
    void registersPackagePrivateTasks() throws Throwable {
        assertThat(registry.register(InternalTasks.class)).containsExactly("t.internal");

        assertThat(call("t.internal", List.of("hi"), Map.of())).isEqualTo("hi!");
    }

    @Test
    void unregisteringWaitsForCallsUnderWay() throws Exception {
        TaskDefinition slow = registry.find("t.slow").orElseThrow();
        Thread call = new Thread(() -> {
            try {
                slow.invoke(slow.bind(List.of(300), Map.of(), null));
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        });
        call.start();
        while (slow.running() == 0) {
            Thread.sleep(5);
        }

        boolean finished = registry.unregister(Tasks.class.getClassLoader(), java.time.Duration.ofSeconds(10));

        assertThat(finished).isTrue();
        assertThat(call.isAlive()).isFalse();
        assertThat(registry.find("t.slow")).isEmpty();
    }
}
