package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the built {@code celeriac.jar} as child processes, with the test's own java unless told another, each in a
 * given working directory with its output in files there. After each test it kills what still runs and, when the
 * test failed, prints every child's output. One made by {@link #classWide()} keeps its children for the whole test
 * class instead.
 */
final class CeleriacProcesses implements AfterEachCallback, AfterAllCallback {
    /** Generous: a slow CI machine starts JVMs slowly; no test relies on anything being fast. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Path jar = Path.of(System.getProperty("celeriac.jar", "../distribution/target/celeriac.jar"));
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final List<Child> started = new ArrayList<>();
    private final boolean classWide;

    CeleriacProcesses() {
        this(false);
    }

    private CeleriacProcesses(boolean classWide) {
        this.classWide = classWide;
    }

    /**
     * Children shared by a test class's tests (register it as a static field): printed after each test that failed,
     * killed after the class's last test, or by {@link #killAll()}. Their files are named {@code class-NN-...}.
     */
    static CeleriacProcesses classWide() {
        return new CeleriacProcesses(true);
    }

    /** Starts {@code celeriac ARGS} in {@code workDir}; returns at once. */
    Child start(Path workDir, String... args) {
        return start(Path.of(java), workDir, args);
    }

    /** Starts {@code celeriac ARGS} in {@code workDir} with another {@code java} executable; returns at once. */
    Child start(Path javaExecutable, Path workDir, String... args) {
        assertThat(jar).as("the distribution jar (built by mvn package)").isRegularFile();
        String name = String.format("%s%02d-%s", classWide ? "class-" : "", started.size() + 1, args.length == 0 ? "celeriac" : args[0]);
        List<String> command = new ArrayList<>(List.of(javaExecutable.toString(), "-jar",
                jar.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve(name + ".out").toFile())
                .redirectError(workDir.resolve(name + ".err").toFile());
        // Settings come from the test alone, not from the environment of whoever runs it.
        builder.environment().keySet().removeIf(k -> k.startsWith("CELERIAC_"));
        try {
            Child child = new Child(name, String.join(" ", args), builder.start(), workDir);
            started.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * A {@code java} of Java {@code feature} or later: the one running the tests if it is, else that of the newest
     * JDK under {@code /usr/lib/jvm} that is (by its {@code release} file); empty when there is none.
     */
    static Optional<Path> javaAtLeast(int feature) {
        if (Runtime.version().feature() >= feature) {
            return Optional.of(Path.of(ProcessHandle.current().info().command().orElse("java")));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                    .filter(home -> releaseFeature(home) >= feature)
                    .max(Comparator.comparingInt(CeleriacProcesses::releaseFeature))
                    .map(home -> home.resolve("bin/java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDK's feature release by the {@code JAVA_VERSION="25.0.3"} line of its release file; 0 if unknown. */
    private static int releaseFeature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "").strip();
                    String[] parts = version.split("[.+-]");
                    int first = Integer.parseInt(parts[0]);
                    return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Runs {@code celeriac ARGS} in {@code workDir} to the end. */
    Finished run(Path workDir, String... args) throws InterruptedException {
        Child child = start(workDir, args);
        int exitCode = child.awaitExit();
        return new Finished(exitCode, child.out(), child.err());
    }

    /** What a finished command printed and returned. */
    record Finished(int exitCode, String out, String err) {
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

    /** Kills every child still running and forgets them all. */
    void killAll() throws InterruptedException {
        for (Child c : started) {
            c.process().destroyForcibly();
        }
        for (Child c : started) {
            c.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        started.clear();
    }

    /** One child process and its output files. */
    record Child(String name, String args, Process process, Path workDir) {

        String out() {
            return read(workDir.resolve(name + ".out"));
        }

        String err() {
            return read(workDir.resolve(name + ".err"));
        }

        /** Waits until standard output contains {@code text}; fails if the process exits first. */
        void awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!out().contains(text)) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '"
                            + text + "'; stderr:\n" + err());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " did not print '" + text + "' within " + WAIT);
                }
                Thread.sleep(50);
            }
        }

        /** Waits for the process to exit and returns its exit code. */
        int awaitExit() throws InterruptedException {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not exit within " + WAIT);
            }
            return process.exitValue();
        }

        void print() {
            System.out.printf("%n===== %s: celeriac %s (%s) =====%n----- stdout%n%s----- stderr%n%s", name, args,
                    process.isAlive() ? "running" : "exit " + process.exitValue(), out(), err());
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
