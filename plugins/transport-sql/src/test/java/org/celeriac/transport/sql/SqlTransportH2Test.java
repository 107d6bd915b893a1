package org.celeriac.transport.sql;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract on an H2 file database of this class's own. */
class SqlTransportH2Test extends TransportContract {

    @TempDir
    static Path dir;

    /** One factory for the class, so that its transports share a pool as a worker's would. */
    private static final SqlTransportFactory FACTORY = new SqlTransportFactory();

    @Override
    protected Transport openTransport() {
        return FACTORY.open("sql:file:" + dir.resolve("broker") + "?visibility_timeout=2", Map.of("polling_interval", "0.05"));
    }

    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(3);
    }
}
