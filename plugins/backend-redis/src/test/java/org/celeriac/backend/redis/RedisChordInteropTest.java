package org.celeriac.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.celeriac.tck.PythonPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import redis.clients.jedis.Jedis;

/**
 * One chord's header members split between this backend and Celery 5.2's Redis backend ({@code /usr/bin/python3}
 * running src/test/resources/.../chord_peer.py), on one Redis; and groups saved by one, restored by the other.
 * Skipped where that Python cannot import Celery and redis-py (failed instead under CI, see {@link PythonPeer}).
 */
@Timeout(120)
class RedisChordInteropTest {

    private static final Logger LOG = LoggerFactory.getLogger(RedisChordInteropTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TTL = Duration.ofHours(1);
    private static final String BODY_TASK = "demo.tsum";

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @TempDir
    static Path peerDir;
    private static Path peer;

    private RedisResultBackend backend;
    private ChordJoin join;
    private Jedis raw;

    @BeforeAll
    static void installPeer() throws Exception {
        peer = PythonPeer.install(RedisChordInteropTest.class, "/org/celeriac/backend/redis/chord_peer.py", peerDir,
                "celery", "redis");
    }

    @BeforeEach
    void open() {
        backend = (RedisResultBackend) new RedisResultBackendFactory().open(REDIS.url(), Map.of());
        join = backend.chordJoin().orElseThrow();
        URI u = URI.create(REDIS.url());
        raw = new Jedis(u.getHost(), u.getPort());
        String path = u.getPath();
        if (path != null && path.length() > 1) {
            raw.select(Integer.parseInt(path.substring(1)));
        }
    }

    @AfterEach
    void close() {
        backend.close();
        raw.close();
    }

    @Test
    void celeryMemberFinishingLastSendsBodyWithCeleriacOutcomeFirst() throws Exception {
        String group = id();
        String bodyId = id();
        Map<String, Object> javaValue = Map.of("java", List.of(1, 2.5, "\u00fc"));
        join.begin(group, 2, TTL);
        assertThat(join.memberDone(group, 0, success(id(), javaValue), TTL)).isEmpty();

        celery(part(group, 1, id(), "SUCCESS", 7, bodyId));

        Map<String, Object> message = takeMessage("celery", bodyId);
        @SuppressWarnings("unchecked")
        Map<String, Object> headers = (Map<String, Object>) message.get("headers");
        assertThat(headers).containsEntry("task", BODY_TASK);
        List<Object> body = JSON.readValue(Base64.getDecoder().decode((String) message.get("body")),
                new TypeReference<List<Object>>() { });
        assertThat(body.get(0)).as("the body's args").isEqualTo(List.of(List.of(javaValue, 7)));
        // Celery deleted the join's keys once it sent the body: the join has ended for Celeriac as well.
        assertThat(raw.exists(RedisChordJoin.key(group, ".j"), RedisChordJoin.key(group, ".s"))).isZero();
        assertThat(join.end(group)).isFalse();
    }

    @Test
    void celeriacMemberFailureFailsTheBodyInCelery() throws Exception {
        String group = id();
        String bodyId = id();
        String failed = id();
        join.begin(group, 2, TTL);
        join.memberDone(group, 0, new TaskResult(failed, TaskState.FAILURE, Map.of("exc_type", "ValueError",
                "exc_message", List.of("bad"), "exc_module", "builtins"), "Traceback\n", List.of(), Instant.now(),
                Map.of()), TTL);

        celery(part(group, 1, id(), "SUCCESS", 7, bodyId));

        // Celery rebuilt the ValueError from Celeriac's exception form, and failed the body with a ChordError.
        TaskResult bodyResult = backend.get(bodyId).orElseThrow();
        assertThat(bodyResult.state()).isEqualTo(TaskState.FAILURE);
        assertThat(bodyResult.result()).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("exc_type", "ChordError")
                .containsEntry("exc_message", List.of("Dependency " + failed + " raised ValueError('bad')"));
        assertThat(raw.lrange("celery", 0, -1)).noneMatch(m -> m.contains(bodyId));
        // Celery 5.2 deletes the join's keys only after sending a body, so after a failure they wait for their
        // expiry; whoever ends the join here still finds them.
        assertThat(join.end(group)).isTrue();
    }

    @Test
    void celeriacMemberFinishingLastGetsCeleryOutcomeInHeaderOrder() throws Exception {
        String group = id();
        String first = id();
        String second = id();
        Map<String, Object> pythonValue = Map.of("a", List.of(1, 2.5, "\u00fc"));

        celery(part(group, 0, first, "SUCCESS", pythonValue, id()).with("size", 2));

        // Celery wrote the outcome byte for byte as Celeriac does, so either one's ZADD of an identical outcome
        // (a redelivered member) replaces the other's instead of counting twice.
        assertThat(raw.zrange(RedisChordJoin.key(group, ".j"), 0, -1)).containsExactly(ResultMetaJson.encodeValue(
                Arrays.asList(1, first, "SUCCESS", pythonValue), "outcome"));
        Optional<List<TaskResult>> all = join.memberDone(group, 1, success(second, "java"), TTL);

        assertThat(all).isPresent();
        assertThat(all.get()).extracting(TaskResult::taskId).containsExactly(first, second);
        assertThat(all.get()).extracting(TaskResult::state).containsExactly(TaskState.SUCCESS, TaskState.SUCCESS);
        assertThat(all.get()).extracting(TaskResult::result).containsExactly(pythonValue, "java");
        assertThat(join.end(group)).isTrue();
    }

    @Test
    void celeryMemberFailureReachesCeleriacInCeleryExceptionForm() throws Exception {
        String group = id();
        String failed = id();

        celery(part(group, 0, failed, "FAILURE", List.of("bad"), id()).with("size", 2));
        List<TaskResult> all = join.memberDone(group, 1, success(id(), 3), TTL).orElseThrow();

        assertThat(all.get(0).taskId()).isEqualTo(failed);
        assertThat(all.get(0).state()).isEqualTo(TaskState.FAILURE);
        assertThat(all.get(0).result()).isEqualTo(
                Map.of("exc_type", "ValueError", "exc_message", List.of("bad"), "exc_module", "builtins"));
        assertThat(all.get(1).result()).isEqualTo(3);
    }

    @Test
    void groupSavedByCeleriacIsRestoredByCelery() throws Exception {
        String group = id();
        List<String> ids = List.of(id(), id());
        backend.saveGroup(group, List.of(Arrays.asList(Arrays.asList(ids.get(0), null), null),
                Arrays.asList(Arrays.asList(ids.get(1), null), null)), TTL);

        Object restored = celery(new Spec("restore").with("group", group));

        assertThat(restored).isEqualTo(Map.of("id", group, "members", ids));
    }

    @Test
    void groupSavedByCeleryIsRestoredByCeleriac() throws Exception {
        String group = id();
        List<String> ids = List.of(id(), id());

        celery(new Spec("save").with("group", group).with("members", ids));

        assertThat(backend.restoreGroup(group)).contains(List.of(Arrays.asList(Arrays.asList(ids.get(0), null), null),
                Arrays.asList(Arrays.asList(ids.get(1), null), null)));
        backend.forgetGroup(group);
        assertThat(celery(new Spec("restore").with("group", group))).isNull();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static TaskResult success(String id, Object value) {
        return new TaskResult(id, TaskState.SUCCESS, value, null, List.of(), Instant.now(), Map.of());
    }

    /** What chord_peer.py reads: the mode and its fields. */
    private static final class Spec extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;

        Spec(String mode) {
            put("mode", mode);
        }

        Spec with(String key, Object value) {
            put(key, value);
            return this;
        }
    }

    private static Spec part(String group, int index, String taskId, String state, Object result, String bodyId) {
        return new Spec("part").with("group", group).with("index", index).with("task_id", taskId)
                .with("state", state).with("result", result).with("body", BODY_TASK).with("body_id", bodyId);
    }

    /** Runs chord_peer.py; its answer, the last line it printed, as JSON. */
    private Object celery(Spec spec) throws Exception {
        spec.put("url", REDIS.url());
        Path out = Files.createTempFile(peerDir, "peer", ".out");
        Path err = Files.createTempFile(peerDir, "peer", ".err");
        Process p = new ProcessBuilder(PythonPeer.PYTHON, peer.toString(), JSON.writeValueAsString(spec))
                .directory(peerDir.toFile()) // nothing in the working directory shadows celery or redis
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("chord_peer.py " + spec.get("mode") + " still running after 60s: "
                    + Files.readString(err));
        }
        String answer = Files.readString(out).strip();
        String log = Files.readString(err);
        if (!log.isBlank()) {
            LOG.info("Celery ({}) said:\n{}", spec.get("mode"), log.strip());
        }
        assertThat(p.exitValue()).as("chord_peer.py %s exit status; stderr:%n%s", spec.get("mode"), log).isZero();
        return JSON.readValue(answer.substring(answer.lastIndexOf('\n') + 1), Object.class);
    }

    /**
     * Removes and returns the message of task {@code taskId} from kombu's list for {@code queue}; only that one, so
     * other tests' messages on a shared Redis stay where they are.
     */
    private Map<String, Object> takeMessage(String queue, String taskId) throws Exception {
        for (String m : raw.lrange(queue, 0, -1)) {
            Map<String, Object> message = JSON.readValue(m, new TypeReference<Map<String, Object>>() { });
            if (message.get("headers") instanceof Map<?, ?> h && taskId.equals(h.get("id"))) {
                raw.lrem(queue, 1, m);
                return message;
            }
        }
        throw new AssertionError("no message of task " + taskId + " in list " + queue + ": "
                + raw.lrange(queue, 0, -1));
    }
}
