package org.celeriac.backend.memcached;

import java.util.List;
import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.CeleryResultInteropContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Python Celery's cache backend (python3-pylibmc) and this backend on the same two memcached servers: each reads
 * every result the other stored, so both put each key on the same server and in the same form.
 */
class MemcachedCeleryInteropTest extends CeleryResultInteropContract {
    @RegisterExtension
    static final MemcachedTestServers MEMCACHED = new MemcachedTestServers(2);

    @Override
    protected String celeryBackendUrl() {
        return MEMCACHED.url();
    }

    @Override
    protected ResultBackend openBackend() {
        return new MemcachedResultBackendFactory().open(MEMCACHED.url(), Map.of());
    }

    @Override
    protected List<String> pythonModules() {
        return List.of("pylibmc");
    }
}
