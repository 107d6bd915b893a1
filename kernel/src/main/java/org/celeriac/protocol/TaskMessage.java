package org.celeriac.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A task message in protocol v2, decoded. Field names follow Celery's headers.
 *
 * @param id             task id ({@code id} header, also {@code correlation_id})
 * @param task           task name
 * @param args           positional arguments
 * @param kwargs         keyword arguments
 * @param embed          {@code callbacks, errbacks, chain, chord}: kept as they came, for canvas
 * @param retries        how often retried before
 * @param eta            not before this time, or null
 * @param expires        not after this time, or null
 * @param hardTimeLimit  seconds, or null ({@code timelimit[0]})
 * @param softTimeLimit  seconds, or null ({@code timelimit[1]})
 * @param rootId         first task of the workflow
 * @param parentId       the task that sent this one, or null
 * @param groupId        the group this task belongs to, or null
 * @param origin         who sent it ({@code pid@host})
 * @param ignoreResult   whether the sender wants no result stored
 * @param replyTo        the sender's reply queue, or null
 * @param priority       message priority
 * @param otherHeaders   every header not above (stamps, {@code lang}, {@code shadow}, ...), passed along
 */
public record TaskMessage(String id, String task, List<Object> args, Map<String, Object> kwargs,
                          Map<String, Object> embed, int retries, Instant eta, Instant expires,
                          Double hardTimeLimit, Double softTimeLimit, String rootId, String parentId,
                          String groupId, String origin, boolean ignoreResult, String replyTo, int priority,
                          Map<String, Object> otherHeaders) {

    public TaskMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        args = args == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(args));
        kwargs = kwargs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kwargs));
        embed = embed == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(embed));
        otherHeaders = otherHeaders == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(otherHeaders));
        rootId = rootId == null ? id : rootId;
    }

    /** A new message for a first attempt, all options unset. */
    public static TaskMessage of(String id, String task, List<Object> args, Map<String, Object> kwargs) {
        return new TaskMessage(id, task, args, kwargs, null, 0, null, null, null, null, null, null, null, null,
                false, null, 0, null);
    }

    public TaskMessage withEta(Instant newEta) {
        return new TaskMessage(id, task, args, kwargs, embed, retries, newEta, expires, hardTimeLimit,
                softTimeLimit, rootId, parentId, groupId, origin, ignoreResult, replyTo, priority, otherHeaders);
    }

    /** The next attempt of this task: same id, one more retry, not before {@code when}. */
    public TaskMessage retry(Instant when) {
        return new TaskMessage(id, task, args, kwargs, embed, retries + 1, when, expires, hardTimeLimit,
                softTimeLimit, rootId, parentId, groupId, origin, ignoreResult, replyTo, priority, otherHeaders);
    }

    public TaskMessage withOptions(Instant newExpires, Double hard, Double soft, int newPriority, String newReplyTo,
                                   boolean newIgnoreResult, String newOrigin) {
        return new TaskMessage(id, task, args, kwargs, embed, retries, eta, newExpires, hard, soft, rootId,
                parentId, groupId, newOrigin, newIgnoreResult, newReplyTo, newPriority, otherHeaders);
    }

    public TaskMessage withLineage(String newRootId, String newParentId, String newGroupId) {
        return new TaskMessage(id, task, args, kwargs, embed, retries, eta, expires, hardTimeLimit, softTimeLimit,
                newRootId, newParentId, newGroupId, origin, ignoreResult, replyTo, priority, otherHeaders);
    }
}
