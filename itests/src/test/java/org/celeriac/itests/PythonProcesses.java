package org.celeriac.itests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Python children (Debian's python3-celery, importable by {@code /usr/bin/python3} only), output (stdout and
 * stderr) in a file each, the working directory on their module path; killed with their children after each test,
 * printed when it failed. One made by {@link #classWide()} keeps its children for the whole test class instead.
 */
final class PythonProcesses implements AfterEachCallback, AfterAllCallback {
    static final String PYTHON = "/usr/bin/python3";
    private static final Duration WAIT = CeleriacProcesses.WAIT;

    private final List<Child> started = new ArrayList<>();
    private final boolean classWide;

    PythonProcesses() {
        this(false);
    }

    private PythonProcesses(boolean classWide) {
        this.classWide = classWide;
    }

    /**
     * Children shared by a test class's tests (register it as a static field): printed after each test that failed,
     * killed with their children after the class's last test, or by {@link #killAll()}.
     */
    static PythonProcesses classWide() {
        return new PythonProcesses(true);
    }

    /**
     * Skips the calling test class unless {@code /usr/bin/python3} imports every one of {@code modules}; under CI
     * ({@code CI=true}) fails instead.
     */
    static void requireModules(String... modules) throws InterruptedException {
        String imports = String.join(", ", modules);
        String why = null;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + imports).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = PYTHON + " cannot import " + imports + " (apt-get install python3-celery python3-redis):\n" + out;
            }
        } catch (IOException e) {
            why = "cannot run " + PYTHON + ": " + e;
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, why);
        }
    }

    /** Starts {@code python3 ARGS} in {@code workDir} with {@code env} added to a clean environment. */
    Child start(Path workDir, String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON));
        command.addAll(List.of(args));
        Path log = workDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("CELERY_") || k.startsWith("PYTHON"));
        environment.put("PYTHONUNBUFFERED", "1");
        environment.put("PYTHONIOENCODING", "utf-8");
        environment.put("PYTHONPATH", workDir.toAbsolutePath().toString());
        environment.putAll(env);
        try {
            Child child = new Child(name, String.join(" ", command), builder.start(), log);
            started.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (context.getExecutionException().isPresent()) {
            started.forEach(Child::print);
        }
        if (!classWide) {
            killAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        killAll();
    }

    /** Kills every child still running, and its children, and forgets them all. */
    void killAll() throws InterruptedException {
        for (Child c : started) {
            c.process().descendants().forEach(ProcessHandle::destroyForcibly);
            c.process().destroyForcibly();
        }
        for (Child c : started) {
            c.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        started.clear();
    }

    record Child(String name, String command, Process process, Path log) {

        String output() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!output().contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '"
                            + text + "':\n" + output());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " did not print '" + text + "' within " + WAIT);
                }
                Thread.sleep(50);
            }
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + ":\n" + output());
            }
            return process.exitValue();
        }

        void print() {
            System.out.printf("%n===== %s: %s (%s) =====%n%s", name, command,
                    process.isAlive() ? "running" : "exit " + process.exitValue(), output());
        }
    }
}
