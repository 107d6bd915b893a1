package org.celeriac.backend.memcached;

import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The result backend contract on two real memcached servers, keys spread over both. */
class MemcachedResultBackendTest extends ResultBackendContract {
    @RegisterExtension
    static final MemcachedTestServers MEMCACHED = new MemcachedTestServers(2);

    @Override
    protected ResultBackend openBackend() {
        return new MemcachedResultBackendFactory().open(MEMCACHED.url(), Map.of());
    }
}
