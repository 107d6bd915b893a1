package org.celeriac.backend.mongo;

import java.util.List;
import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.CeleryResultInteropContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Python Celery's MongoDB backend (python3-pymongo) and this backend on the same server: each reads every result the
 * other stored, in Celery's celery_taskmeta documents.
 */
class MongoCeleryInteropTest extends CeleryResultInteropContract {
    @RegisterExtension
    static final MongoTestServer MONGO = new MongoTestServer();

    @Override
    protected String celeryBackendUrl() {
        return MONGO.url("celery");
    }

    @Override
    protected ResultBackend openBackend() {
        return new MongoResultBackendFactory().open(MONGO.url("celery"), Map.of());
    }

    @Override
    protected List<String> pythonModules() {
        return List.of("pymongo");
    }
}
