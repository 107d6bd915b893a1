package org.celeriac.tck;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A Python script that plays Celery's side in an interop test, run by Debian's {@code /usr/bin/python3} (the only
 * interpreter that imports {@code python3-celery}). Without the modules it needs the calling test fails under CI
 * ({@code CI=true}) and is skipped elsewhere.
 */
public final class PythonPeer {

    /** Debian's interpreter: the {@code python3} first on the PATH may be another one. */
    public static final String PYTHON = "/usr/bin/python3";
    /** Celery's events peer (tests of topic exchanges): {@code publish}/{@code listen}/{@code worker} modes. */
    public static final String CELERY_EVENTS = "/org/celeriac/tck/celery/events_peer.py";
    /**
     * Celery's remote-control peer: the app module of a worker ({@code -A pidbox_peer}, run from its directory), and
     * {@code ping}/{@code declare-reply-queue} modes; the broker URL in {@code CELERIAC_PEER_BROKER}.
     */
    public static final String CELERY_PIDBOX = "/org/celeriac/tck/celery/pidbox_peer.py";

    private PythonPeer() {
    }

    /**
     * Checks that Python imports {@code modules} and copies the script at {@code resource} (on the class path of
     * {@code owner}) into {@code dir}.
     *
     * @return the copied script
     */
    public static Path install(Class<?> owner, String resource, Path dir, String... modules) throws IOException,
            InterruptedException {
        String imports = String.join(", ", modules);
        String why = null;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import " + imports).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = PYTHON + " cannot import " + imports + " (apt-get install python3-celery python3-redis):\n" + out;
            }
        } catch (IOException e) {
            why = "cannot run " + PYTHON + ": " + e;
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        Path script = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " on the class path of " + owner.getName());
            }
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    /** Stops the peers a test started: SIGTERM, Celery's warm shutdown, then SIGKILL for one still up after 15s. */
    public static void stop(List<Process> peers) throws InterruptedException {
        for (Process p : peers) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
