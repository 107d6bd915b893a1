package org.celeriac.memory;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;

class MemoryResultBackendTest extends ResultBackendContract {
    private final MemoryResultBackendFactory factory = new MemoryResultBackendFactory();

    @Override
    protected ResultBackend openBackend() {
        return factory.open("memory://tck", java.util.Map.of());
    }
}
