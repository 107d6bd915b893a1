package org.celeriac.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskState;

/** The results of a group's tasks, in the group's order, as Celery's {@code GroupResult}. */
public final class GroupResult {

    private final String id;
    private final List<AsyncResult> results;
    private final ResultBackend backend;

    GroupResult(String id, List<AsyncResult> results, ResultBackend backend) {
        this.id = id;
        this.results = Collections.unmodifiableList(new ArrayList<>(results));
        this.backend = backend;
    }

    public String id() {
        return id;
    }

    public List<AsyncResult> results() {
        return results;
    }

    /** How many of its tasks succeeded so far: Celery's {@code completed_count}. */
    public int completedCount() {
        int n = 0;
        for (AsyncResult r : results) {
            if (r.state() == TaskState.SUCCESS) {
                n++;
            }
        }
        return n;
    }

    /** Whether every task finished, whatever its outcome. */
    public boolean ready() {
        return results.stream().allMatch(AsyncResult::ready);
    }

    /** Whether every task succeeded. */
    public boolean successful() {
        return results.stream().allMatch(r -> r.state() == TaskState.SUCCESS);
    }

    /** Whether any task failed or was revoked. */
    public boolean failed() {
        return results.stream().anyMatch(r -> r.state().isFailed());
    }

    /**
     * Waits for every task and returns their values in order: Celery's {@code join}.
     *
     * @throws TaskFailedException the first failed task's failure, in group order
     * @throws TimeoutException    when they did not all finish within {@code timeout}
     */
    public List<Object> get(Duration timeout) throws TaskFailedException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Object> values = new ArrayList<>(results.size());
        for (AsyncResult r : results) {
            long left = Math.max(0, deadline - System.nanoTime());
            values.add(r.get(Duration.ofNanos(left)));
        }
        return values;
    }

    /** Saves it in the backend, so that {@link CeleriacClient#restoreGroup} finds it by id: Celery's {@code save}. */
    public void save(Duration ttl) {
        List<Object> members = new ArrayList<>(results.size());
        for (AsyncResult r : results) {
            members.add(r.asTuple());
        }
        backend.saveGroup(id, members, ttl);
    }

    /** Removes what {@link #save} saved (not the tasks' results). */
    public void delete() {
        backend.forgetGroup(id);
    }

    @Override
    public String toString() {
        return id + results;
    }
}
