package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.monitor.ClusterState;
import org.celeriac.monitor.MonitorServer;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The monitor's pages in a real browser: headless Chromium (Debian's, through its chromedriver) against a
 * {@code celeriac worker -E} process on Redis, with the monitor serving in this JVM. Each step is seen as a person
 * sees it: the worker listed, a task turning SUCCESS without a reload, a running task ended from its page, the charts
 * drawn. Screenshots go to {@code target/screenshots/} (the property {@code celeriac.screenshots}), one for each
 * step and one of the page of any wait that timed out.
 *
 * <p>Without Chromium and its driver the class is skipped, except under CI ({@code CI=true}), where that fails.
 * Ports: the monitor's, chromedriver's and Chromium's DevTools' from {@code CELERIAC_TEST_MONITOR_PORTS}
 * ({@code FROM-TO}) if set, else where the system picks.
 */
@Timeout(180)
class MonitorBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WORKER = "browser@test";

    @RegisterExtension
    @Order(1)
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    @Order(2)
    final RedisApps apps = new RedisApps(REDIS, "");

    @RegisterExtension
    @Order(3)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    private final Path screenshots = Path.of(System.getProperty("celeriac.screenshots", "target/screenshots"));
    private final List<Integer> ports = new ArrayList<>();
    private String test;
    private Subscription events;
    private MonitorServer monitor;
    private WebDriver browser;
    private Path profile;
    private String base;
    private CeleriacClient client;

    @BeforeEach
    void start(TestInfo info) throws Exception {
        test = info.getTestMethod().orElseThrow().getName();
        for (String program : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(program))) {
                String why = "no " + program + " (Debian's chromium and chromium-driver)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(why);
                }
                assumeTrue(false, why);
            }
        }
        celeriac.start(dir, "worker", "--broker", apps.brokerUrl(), "--backend", apps.backendUrl(), "-E",
                "-n", WORKER, "-c", "2").awaitOutput(CeleryInteropContract.CELERIAC_READY);

        Celeriac app = apps.app();
        client = app.client();
        ClusterState state = new ClusterState(10_000);
        events = app.events("#", state::apply);
        monitor = new MonitorServer(state, app, new InetSocketAddress("127.0.0.1", port()), null,
                Duration.ofSeconds(2));
        monitor.start();
        base = "http://127.0.0.1:" + monitor.address().getPort();

        profile = Files.createTempDirectory("celeriac-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", "--remote-debugging-port=" + port(), "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingPort(port()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    }

    /** A free loopback port, none given out before in this test. */
    private int port() throws IOException {
        int p = LoopbackPorts.free("CELERIAC_TEST_MONITOR_PORTS", 1, ports::contains);
        ports.add(p);
        return p;
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (monitor != null) {
            monitor.close();
        }
        if (events != null) {
            events.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void theDashboardListsTheWorkerOnline() throws Exception {
        browser.get(base + "/");

        WebElement row = await("the worker's row, online, with its queue", d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("tr[data-worker='" + WORKER + "']"));
            return rows.isEmpty() || !rows.get(0).getText().contains("celery") ? null : rows.get(0);
        });
        assertThat(row.getText()).contains(WORKER, "online", "ago");
        screenshot("dashboard-worker");

        row.findElement(By.linkText(WORKER)).click();
        await("the worker's registered tasks", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#registered tr[data-task='demo.add']")));
        assertThat(browser.findElement(By.id("queues")).getText()).contains("celery");
        screenshot("worker");

        browser.findElement(By.linkText("Broker")).click();
        await("the queue's length", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#queues tr[data-queue='celery']")));
        assertThat(browser.findElement(By.id("url")).getText()).isEqualTo(apps.brokerUrl());
        screenshot("broker");
    }

    @Test
    void aTaskSentAfterThePageLoadedShowsUpAndTurnsSuccessWithoutAReload() throws Exception {
        browser.get(base + "/tasks");
        awaitLive();
        ((JavascriptExecutor) browser).executeScript("window.celeriacSamePage = true;");

        AsyncResult sent = client.send("demo.add", List.of(20, 22), Map.of());
        WebElement row = await("the task's row, SUCCESS", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-uuid='" + sent.id() + "'][data-state='SUCCESS']")));

        assertThat(row.getText()).contains("demo.add", "42", WORKER);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.celeriacSamePage === true;"))
                .as("the page was not reloaded").isEqualTo(true);
        screenshot("tasks-success");

        new Select(browser.findElement(By.name("state"))).selectByValue("FAILURE");
        await("no task FAILURE", ExpectedConditions.visibilityOfElementLocated(By.id("no-tasks")));
        new Select(browser.findElement(By.name("state"))).selectByValue("SUCCESS");
        browser.findElement(By.name("search")).sendKeys(sent.id().substring(0, 8));
        await("the task found by its id", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-uuid='" + sent.id() + "']")));
        assertThat(browser.getCurrentUrl()).as("the filters kept in the address").contains("state=SUCCESS");
    }

    @Test
    void terminatingARunningTaskFromItsPageEndsItRevoked() throws Exception {
        AsyncResult sleeping = client.send("demo.sleep", List.of(120), Map.of());
        browser.get(base + "/task/" + sleeping.id());
        awaitLive();
        await("the task STARTED", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#state[data-state='STARTED']")));
        screenshot("task-started");

        browser.findElement(By.id("terminate")).click();
        await("the confirm dialog", ExpectedConditions.alertIsPresent()).accept();

        await("the task REVOKED", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#state[data-state='REVOKED']")));
        assertThat(browser.findElement(By.id("reply")).getText()).contains("Revoked");
        RedisApps.await("the task's stored state REVOKED", () -> sleeping.state() == TaskState.REVOKED);
        screenshot("task-revoked");
    }

    @Test
    void theChartsDrawTheTasksThatFinished() throws Exception {
        List<AsyncResult> sent = new ArrayList<>();
        for (int round = 0; round < 8; round++) { // a few seconds' worth, for lines rather than a spike
            for (int i = 0; i <= round % 4; i++) {
                sent.add(client.send("demo.add", List.of(round, i), Map.of()));
                sent.add(client.send("demo.sleep", List.of(0.02 * (1 + i + round % 3)), Map.of()));
            }
            if (round % 3 == 2) {
                sent.add(client.send("demo.fail", List.of("on purpose"), Map.of()));
            }
            Thread.sleep(700);
        }
        for (AsyncResult r : sent) {
            RedisApps.await("task " + r.id() + " done", () -> r.state().isReady());
        }
        browser.get(base + "/");
        new Select(browser.findElement(By.id("window"))).selectByValue("60");

        WebElement line = await("the succeeded line of demo.add", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".chart-card[data-task='demo.add'] svg.chart path.series[data-series='succeeded']")));
        assertThat(line.getDomAttribute("d")).startsWith("M").contains("L");
        await("the runtime line of demo.sleep", ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".chart-card[data-task='demo.sleep'] .chart-runtimes svg.chart path.series,"
                        + ".chart-card[data-task='demo.sleep'] .chart-runtimes svg.chart circle")));
        await("the worker's row with its queue", d -> d.findElement(
                By.cssSelector("tr[data-worker='" + WORKER + "']")).getText().contains("celery"));
        screenshot("dashboard");
    }

    /** Waits until the page's live feed is connected, so that what happens next reaches it. */
    private void awaitLive() throws IOException {
        await("the live feed connected", ExpectedConditions.presenceOfElementLocated(By.cssSelector("#live.on")));
    }

    /** Waits at most {@link #WAIT}; on a timeout, saves what the page showed. */
    private <T> T await(String what, Function<WebDriver, T> condition) throws IOException {
        try {
            return new WebDriverWait(browser, WAIT).withMessage(what).until(condition::apply);
        } catch (TimeoutException e) {
            screenshot("timeout-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            throw e;
        }
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(screenshots);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshots.resolve(test + "-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
