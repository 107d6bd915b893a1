package org.celeriac.backend.mongo;

import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The result backend contract on MongoDB's wire protocol (mongo-java-server) through the real driver. */
class MongoResultBackendTest extends ResultBackendContract {
    @RegisterExtension
    static final MongoTestServer MONGO = new MongoTestServer();

    @Override
    protected ResultBackend openBackend() {
        return new MongoResultBackendFactory().open(MONGO.url("celery"), Map.of());
    }
}
