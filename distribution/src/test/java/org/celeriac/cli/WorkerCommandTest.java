package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.cli.CallCommandTest.broker;
import static org.celeriac.cli.CallCommandTest.call;
import static org.celeriac.cli.CallCommandTest.join;
import static org.celeriac.cli.CallCommandTest.result;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {

    private final InProcessCli cli = new InProcessCli();

    @Test
    void bannerNamesTheWorkerItsQueuesAndTasksAndHowToCallOne() throws Exception {
        try (RunningWorker worker = cli.startWorker(join(broker("banner"), "-n", "w1@test", "--acks-late"))) {
            String banner = worker.out().toString();

            assertThat(banner).contains("Worker w1@test ready.")
                    .contains("broker:      memory://banner")
                    .contains("queues:      celery")
                    .contains("concurrency: 2 (prefetch multiplier 4, acks late)")
                    .contains("demo.add").contains("demo.sleep")
                    .contains("./celeriac call demo.add --args '[2,3]' --wait --broker 'memory://banner'");
        }
    }

    @Test
    void stopFinishesTheRunningTaskAndLeavesTheNotStartedOnesOnTheQueue() throws Exception {
        String id;
        String waiting;
        try (RunningWorker worker = cli.startWorker("--broker", "memory://warm", "--backend", "memory://warm", "-c", "1")) {
            String marker = sent(call("warm", "demo.add", "--args", "[0,0]"));
            // Longer than the worker's last receive (up to 1 s), during which not-started tasks may still start.
            id = sent(call("warm", "demo.sleep", "--args", "[1.5]"));
            waiting = sent(call("warm", "demo.add", "--args", "[2,3]"));
            // One pool thread, first in first out: once the marker is done, the sleep task is running.
            assertThat(cli.run(result("warm", marker, "--wait")).out()).startsWith("SUCCESS");

            assertThat(worker.stop()).isZero();
            assertThat(worker.stopRequest().isStopped()).as("reported stopped, so an exiting JVM may go on").isTrue();
        }
        assertThat(cli.run(result("warm", id)).out().strip()).isEqualTo("SUCCESS 1.5");
        assertThat(cli.run(result("warm", waiting)).out().strip()).isEqualTo("PENDING");

        try (RunningWorker next = cli.startWorker(broker("warm"))) {
            assertThat(cli.run(result("warm", waiting, "--wait")).out().strip()).isEqualTo("SUCCESS 5");
        }
    }

    @Test
    void secondStopRequestStopsColdLeavingTheRunningLateAckTaskToTheNextWorker() throws Exception {
        String id;
        try (RunningWorker worker = cli.startWorker("--broker", "memory://cold", "--backend", "memory://cold", "-c", "1",
                "--acks-late")) {
            String marker = sent(call("cold", "demo.add", "--args", "[0,0]"));
            id = sent(call("cold", "demo.sleep", "--args", "[1.5]"));
            assertThat(cli.run(result("cold", marker, "--wait")).out()).startsWith("SUCCESS");

            worker.stopRequest().request();
            Thread.sleep(100);
            worker.stopRequest().requestCold();

            assertThat(worker.exit().get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(130);
        }
        assertThat(cli.run(result("cold", id)).out().strip()).as("interrupted, not acknowledged").isEqualTo("PENDING");

        try (RunningWorker next = cli.startWorker(broker("cold"))) {
            assertThat(cli.run(result("cold", id, "--wait")).out().strip()).isEqualTo("SUCCESS 1.5");
        }
    }

    @Test
    void poolAutoscaleAndPrefetchFlagsShowInTheBanner() throws Exception {
        try (RunningWorker worker = cli.startWorker(join(broker("flags"), "--autoscale", "4,2",
                "--disable-prefetch"))) {
            assertThat(worker.out().toString()).contains("concurrency: autoscale 4,2 (prefetch disabled, acks early)")
                    .contains("pool:        threads");
        }
    }

    @Test
    void theVirtualPoolBeforeJava21ExitsTwo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() < 21);
        Run run = cli.run(join(new String[] {"worker"}, join(broker("virtual"), "--pool", "virtual")));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("the virtual pool needs Java 21");
    }

    @Test
    void tasksFromATasksJarRunBesideTheDemoTasks(@TempDir Path dir) throws Exception {
        Path jar = taskPackage(dir);
        try (RunningWorker worker = cli.startWorker(join(broker("jar"), "--tasks", dir.toString()))) {
            assertThat(worker.out().toString()).contains("extra.greet").contains("demo.add");

            Run run = cli.run(call("jar", "extra.greet", "--args", "[\"jar\"]", "--wait"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out().strip()).isEqualTo("\"hello jar\"");
        }
        assertThat(jar).exists();
    }

    @Test
    void aTasksPathThatDoesNotExistExitsTwo() {
        Run run = cli.run(join(new String[] {"worker"}, join(broker("missing"), "--tasks", "no/such.jar")));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--tasks: no such file or directory: no/such.jar");
    }

    @Test
    void aConcurrencyBelowOneExitsTwo() {
        Run run = cli.run("worker", "--broker", "memory://c", "--backend", "memory://c", "-c", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("concurrency must be at least 1");
    }

    @Test
    void aBrokerUrlNoPluginServesExitsTwoListingTheInstalledSchemes() {
        Run run = cli.run("worker", "--broker", "nope://x", "--backend", "memory://x");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no transport plugin for 'nope:'").contains("memory");
    }

    @Test
    void settingsComeFromTheEnvironmentWhenNoFlagGivesThem() throws Exception {
        InProcessCli withEnvironment = new InProcessCli(Map.of(
                "CELERIAC_BROKER_URL", "memory://env", "CELERIAC_RESULT_BACKEND", "memory://env",
                "CELERIAC_WORKER_CONCURRENCY", "3"));
        try (RunningWorker worker = withEnvironment.startWorker()) {
            assertThat(worker.out().toString()).as(worker.err().toString()).contains("concurrency: 3");

            Run run = withEnvironment.run("call", "demo.add", "--args", "[2,3]", "--wait");

            assertThat(run.out().strip()).isEqualTo("5");
        }
    }

    @Test
    void settingsComeFromTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("my.properties");
        Files.writeString(config, "broker_url = memory://file\nresult_backend = memory://file\nworker_queues = a,b\n");
        try (RunningWorker worker = cli.startWorker("--config", config.toString(), "-c", "1")) {
            assertThat(worker.out().toString()).contains("queues:      a, b");

            Run run = cli.run("call", "--config", config.toString(), "demo.add", "--args", "[1,2]", "-Q", "b", "--wait");

            assertThat(run.out().strip()).isEqualTo("3");
        }
    }

    @Test
    void aConfigFileThatDoesNotExistExitsTwo() {
        Run run = cli.run("call", "--config", "no-such.properties", "demo.add");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("settings file not found: no-such.properties");
    }

    private String sent(String... callArgs) {
        Run run = cli.run(callArgs);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.out().strip();
    }

    /** Compiles a one-task package into a jar with the Celeriac-Tasks header. */
    private static Path taskPackage(Path dir) throws IOException, URISyntaxException {
        Path sources = Files.createDirectories(dir.resolve("src/extra"));
        Files.writeString(sources.resolve("Greeter.java"), """
                package extra;
                public class Greeter {
                    @org.celeriac.task.Task(name = "extra.greet")
                    public String greet(String name) { return "hello " + name; }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String taskApi = Path.of(Task.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-cp", taskApi, "-d", classes.toString(),
                sources.resolve("Greeter.java").toString());
        assertThat(rc).isZero();

        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(Task.MANIFEST_HEADER, "extra.Greeter");
        Path jar = dir.resolve("extra-tasks.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("extra/Greeter.class"));
            out.write(Files.readAllBytes(classes.resolve("extra/Greeter.class")));
            out.closeEntry();
        }
        // Only the jar in the directory that --tasks names.
        for (Path p : List.of(sources.resolve("Greeter.java"), classes.resolve("extra/Greeter.class"))) {
            Files.delete(p);
        }
        return jar;
    }

    @Test
    void bannerSaysWhenTheResultBackendDoesNotAnswerNamingItsServer() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        try (RunningWorker worker = cli.startWorker("--broker", "memory://silent", "--backend",
                "cache+memcached://127.0.0.1:" + closed + "/", "-c", "1")) {
            assertThat(worker.out().toString()).contains("does not answer: Memcached at 127.0.0.1:" + closed
                    + " is unreachable");
            assertThat(worker.stop()).isZero();
        }
    }
}
