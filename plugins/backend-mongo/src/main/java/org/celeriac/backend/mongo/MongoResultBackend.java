package org.celeriac.backend.mongo;

import static com.mongodb.client.model.Filters.eq;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.bson.Document;
import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

/**
 * Task results in MongoDB as Celery's MongoDB backend keeps them: a {@code celery_taskmeta} document per task with
 * {@code _id} the task id, {@code status}, {@code result} as JSON text (Celery's {@code json} serializer),
 * {@code traceback}, {@code children}, {@code date_done} as Python's ISO text, and the extended fields beside;
 * {@code celery_groupmeta} for saved groups ({@code result} the JSON list of member ids). Python's Celery reads these
 * and writes what this reads.
 *
 * <p>Expiry: Celery 5.2 leaves MongoDB results for its daily {@code backend_cleanup}. Here a document stored with a
 * time to live carries {@value #EXPIRES} (a BSON date) under a TTL index, so MongoDB deletes it; MongoDB's TTL monitor
 * runs once a minute, so a read also treats a document past its time as gone. Counters and chord joins live in
 * collections of Celeriac's own ({@code celeriac_counters}, {@code celeriac_chords}), changed by {@code $inc}.
 */
final class MongoResultBackend implements ResultBackend {
    private static final Logger LOG = LoggerFactory.getLogger(MongoResultBackend.class);
    /** When a document expires; Celery's readers ignore the field. */
    static final String EXPIRES = "celeriac_expires_at";
    /** The fields of a task document that are not extended meta. */
    private static final Set<String> OWN_FIELDS = Set.of("_id", "status", "result", "traceback", "children",
            "date_done", EXPIRES);

    private final MongoSettings settings;
    private final MongoClient client;
    private final MongoCollection<Document> tasks;
    private final MongoCollection<Document> groups;
    private final MongoCollection<Document> counters;
    private final MongoChordJoin join;
    private volatile boolean indexed;

    MongoResultBackend(MongoSettings settings) {
        this.settings = settings;
        this.client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(settings.connection())
                .applyToClusterSettings(b -> b.serverSelectionTimeout(settings.connectTimeoutMillis(),
                        TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS))
                .applicationName("celeriac")
                .build());
        MongoDatabase db = client.getDatabase(settings.database());
        this.tasks = db.getCollection(settings.taskmetaCollection());
        this.groups = db.getCollection(settings.groupmetaCollection());
        this.counters = db.getCollection("celeriac_counters");
        this.join = new MongoChordJoin(this, db.getCollection("celeriac_chords"));
    }

    @Override
    public void store(TaskResult r, Duration ttl) {
        Document doc = new Document("_id", r.taskId())
                .append("status", r.state().name())
                .append("result", ResultMetaJson.encodeValue(r.result(), "the result of task " + r.taskId()))
                .append("traceback", r.traceback())
                .append("children", r.children())
                .append("date_done", r.dateDone() == null ? null : ResultMetaJson.formatDate(r.dateDone()));
        r.extended().forEach((k, v) -> {
            if (!OWN_FIELDS.contains(k) && !k.equals("task_id")) {
                doc.append(k, v);
            }
        });
        expires(doc, ttl);
        call("store the result of task " + r.taskId(), () -> tasks.replaceOne(eq("_id", r.taskId()), doc,
                new ReplaceOptions().upsert(true)));
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        Document doc = call("read the result of task " + taskId, () -> tasks.find(eq("_id", taskId)).first());
        if (doc == null || expired(doc)) {
            return Optional.empty();
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("status", doc.get("status"));
        meta.put("result", value(doc.get("result")));
        meta.put("traceback", doc.get("traceback"));
        meta.put("children", doc.get("children"));
        Object date = doc.get("date_done");
        meta.put("date_done", date instanceof Date d ? ResultMetaJson.formatDate(d.toInstant()) : date);
        meta.put("task_id", String.valueOf(doc.get("_id")));
        doc.forEach((k, v) -> {
            if (!OWN_FIELDS.contains(k)) {
                meta.put(k, v instanceof Date d ? ResultMetaJson.formatDate(d.toInstant()) : v);
            }
        });
        return Optional.of(ResultMetaJson.decode(ResultMetaJson.encodeValue(meta, "the result of task " + taskId),
                taskId));
    }

    @Override
    public void forget(String taskId) {
        call("forget task " + taskId, () -> tasks.deleteOne(eq("_id", taskId)));
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        Document doc = call("increment " + key, () -> counters.findOneAndUpdate(eq("_id", key),
                ttl == null ? Updates.inc("value", delta)
                        : Updates.combine(Updates.inc("value", delta), Updates.set(EXPIRES, expiry(ttl))),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)));
        return ((Number) doc.get("value")).longValue();
    }

    @Override
    public Optional<ChordJoin> chordJoin() {
        return Optional.of(join);
    }

    /**
     * Celery's {@code _save_group} document: {@code result} the JSON list of the members' ids, {@code date_done} a
     * date. Members that are more than a task id (a nested group, a parent) are kept whole, which Python's Celery
     * cannot read but Celeriac restores as saved.
     */
    @Override
    public void saveGroup(String groupId, List<Object> members, Duration ttl) {
        List<Object> saved = new ArrayList<>(members.size());
        for (Object m : members) {
            String id = plainId(m);
            saved.add(id != null ? id : m);
        }
        Document doc = new Document("_id", groupId)
                .append("result", ResultMetaJson.encodeValue(saved, "group " + groupId))
                .append("date_done", new Date());
        expires(doc, ttl);
        call("save group " + groupId, () -> groups.replaceOne(eq("_id", groupId), doc,
                new ReplaceOptions().upsert(true)));
    }

    @Override
    public Optional<List<Object>> restoreGroup(String groupId) {
        Document doc = call("restore group " + groupId, () -> groups.find(eq("_id", groupId)).first());
        if (doc == null || expired(doc)) {
            return Optional.empty();
        }
        if (!(value(doc.get("result")) instanceof List<?> saved)) {
            throw new BackendException("The saved group " + groupId + " is not a list of members: " + doc.toJson());
        }
        List<Object> members = new ArrayList<>(saved.size());
        for (Object m : saved) {
            members.add(m instanceof String id ? Arrays.asList(Arrays.asList(id, null), null) : m);
        }
        return Optional.of(Collections.unmodifiableList(members));
    }

    @Override
    public void forgetGroup(String groupId) {
        call("forget group " + groupId, () -> groups.deleteOne(eq("_id", groupId)));
    }

    @Override
    public void close() {
        client.close();
    }

    /** A member tuple {@code [[id, null], null]} that is nothing but its task id: the id; else null. */
    private static String plainId(Object member) {
        if (member instanceof List<?> t && t.size() == 2 && t.get(1) == null && t.get(0) instanceof List<?> head
                && head.size() == 2 && head.get(0) instanceof String id && head.get(1) == null) {
            return id;
        }
        return null;
    }

    /** A JSON text as its value (Celery's json serializer); anything else (its bson serializer) as it is. */
    private static Object value(Object stored) {
        if (stored instanceof String s) {
            try {
                return ResultMetaJson.decodeValue(s, "a stored value");
            } catch (BackendException e) {
                return s;
            }
        }
        return stored;
    }

    static Date expiry(Duration ttl) {
        return Date.from(Instant.now().plus(ttl));
    }

    static void expires(Document doc, Duration ttl) {
        if (ttl != null) {
            doc.append(EXPIRES, expiry(ttl));
        }
    }

    static boolean expired(Document doc) {
        return doc.get(EXPIRES) instanceof Date d && d.toInstant().isBefore(Instant.now());
    }

    /** Runs an operation, creating the indexes first the first time; failures name the server, never the password. */
    <T> T call(String what, Supplier<T> operation) {
        try {
            if (!indexed) {
                createIndexes();
            }
            return operation.get();
        } catch (MongoException e) {
            throw new BackendException("MongoDB at " + settings.where() + ": cannot " + what + ": " + e.getMessage(),
                    e);
        }
    }

    /** Celery's index on {@code date_done}, and the TTL index on {@value #EXPIRES}, on each collection. */
    private synchronized void createIndexes() {
        if (indexed) {
            return;
        }
        for (MongoCollection<Document> c : List.of(tasks, groups, counters, join.collection())) {
            c.createIndex(Indexes.ascending(EXPIRES), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
        }
        for (MongoCollection<Document> c : List.of(tasks, groups)) {
            c.createIndex(Indexes.ascending("date_done"));
        }
        indexed = true;
        LOG.debug("Indexes in place on MongoDB at {}", settings.where());
    }
}
