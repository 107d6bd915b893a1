package org.celeriac.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A result backend and Python Celery's backend of the same kind on the same server: each reads every result the
 * other stored. Run with Debian's python3-celery (and the client library the backend needs, {@link #pythonModules}),
 * as {@code /usr/bin/python3}; the peer is {@code result_peer.py}.
 */
public abstract class CeleryResultInteropContract {
    private static final int RESULTS = 40;

    @TempDir
    Path dir;

    /** The backend's URL as Celery's {@code result_backend} takes it; the same server as {@link #openBackend}. */
    protected abstract String celeryBackendUrl();

    protected abstract ResultBackend openBackend();

    /** The Python modules Celery's backend needs besides celery (pylibmc, pymongo...). */
    protected abstract List<String> pythonModules();

    private List<String> python(String mode, List<String> ids) throws Exception {
        List<String> modules = new ArrayList<>(List.of("celery"));
        modules.addAll(pythonModules());
        Path script = PythonPeer.install(CeleryResultInteropContract.class, "/org/celeriac/tck/celery/result_peer.py",
                dir, modules.toArray(String[]::new));
        List<String> command = new ArrayList<>(List.of(PythonPeer.PYTHON, script.toString(), celeryBackendUrl(),
                mode));
        command.addAll(ids);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < RESULTS; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        return ids;
    }

    @Test
    void readsEveryResultPythonCeleryStored() throws Exception {
        List<String> ids = ids();
        python("store", ids);

        try (ResultBackend backend = openBackend()) {
            for (int i = 0; i < RESULTS; i++) {
                TaskResult r = backend.get(ids.get(i)).orElseThrow(() -> new AssertionError("not found"));
                assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
                assertThat(r.result()).isEqualTo(List.of(i, "text from Python"));
            }
        }
    }

    @Test
    void pythonCeleryReadsEveryResultStoredHere() throws Exception {
        List<String> ids = ids();
        try (ResultBackend backend = openBackend()) {
            for (int i = 0; i < RESULTS; i++) {
                backend.store(new TaskResult(ids.get(i), TaskState.SUCCESS, Map.of("n", i), null, List.of(),
                        Instant.now(), Map.of()), Duration.ofHours(1));
            }
        }

        List<String> lines = python("read", ids);

        ObjectMapper json = new ObjectMapper();
        assertThat(lines).hasSize(RESULTS);
        for (int i = 0; i < RESULTS; i++) {
            Map<?, ?> line = json.readValue(lines.get(i), Map.class);
            assertThat(line.get("state")).as(lines.get(i)).isEqualTo("SUCCESS");
            assertThat(line.get("result")).isEqualTo(Map.of("n", i));
        }
    }
}
