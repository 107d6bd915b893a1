package org.celeriac.backend.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.ne;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.TaskResult;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

/**
 * The join of a chord in one document of {@code celeriac_chords}: {@code size}, {@code done}, the indexes
 * {@code reported} and each member's outcome under {@code members.<index>}. A member's report is one atomic
 * {@code findOneAndUpdate} that counts it ({@code $inc} of {@code done}) only if its index is not reported yet, and
 * answers the document as it left it, so among members finishing together only the one that completed the count
 * sees it complete. A member reporting again replaces its outcome uncounted. The end deletes the document, which only
 * one caller can do. (Celery's MongoDB backend joins no chords itself: its chords poll with {@code chord_unlock}.)
 */
final class MongoChordJoin implements ChordJoin {
    private final MongoResultBackend backend;
    private final MongoCollection<Document> chords;

    MongoChordJoin(MongoResultBackend backend, MongoCollection<Document> chords) {
        this.backend = backend;
        this.chords = chords;
    }

    MongoCollection<Document> collection() {
        return chords;
    }

    @Override
    public void begin(String groupId, int size, Duration ttl) {
        Document doc = new Document("_id", groupId).append("size", size).append("done", 0)
                .append("reported", List.of()).append("members", new Document());
        MongoResultBackend.expires(doc, ttl);
        backend.call("begin chord " + groupId, () -> chords.replaceOne(eq("_id", groupId), doc,
                new ReplaceOptions().upsert(true)));
    }

    @Override
    public Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl) {
        String what = "join member " + index + " of chord " + groupId;
        String json = ResultMetaJson.encode(outcome);
        FindOneAndUpdateOptions after = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);
        Document doc = backend.call(what, () -> chords.findOneAndUpdate(and(eq("_id", groupId), ne("reported", index)),
                Updates.combine(Updates.inc("done", 1), Updates.push("reported", index),
                        Updates.set("members." + index, json)), after));
        if (doc == null) { // reported before (or the join ended): the outcome replaced, not counted
            doc = backend.call(what, () -> chords.findOneAndUpdate(eq("_id", groupId),
                    Updates.set("members." + index, json), after));
        }
        if (doc == null || MongoResultBackend.expired(doc)) {
            return Optional.empty();
        }
        int size = ((Number) doc.get("size")).intValue();
        if (((Number) doc.get("done")).intValue() < size) {
            return Optional.empty();
        }
        Document members = doc.get("members", Document.class);
        List<TaskResult> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Object m = members.get(Integer.toString(i));
            if (!(m instanceof String s)) {
                return Optional.empty();
            }
            all.add(ResultMetaJson.decode(s, null));
        }
        return Optional.of(all);
    }

    @Override
    public boolean end(String groupId) {
        return backend.call("end chord " + groupId, () -> chords.deleteOne(eq("_id", groupId))).getDeletedCount() == 1;
    }
}
