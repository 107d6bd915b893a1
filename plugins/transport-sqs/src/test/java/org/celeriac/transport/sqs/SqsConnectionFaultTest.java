package org.celeriac.transport.sqs;

import java.net.InetSocketAddress;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportFaultContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault contract on ElasticMQ: the SDK's HTTP connections dropped or gone silent. A silent long poll fails when
 * its read timeout (the poll's wait plus 5 s) runs out, and the next call opens a new connection.
 */
class SqsConnectionFaultTest extends TransportFaultContract {

    private static final SqsTransportFactory FACTORY = new SqsTransportFactory();

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    @Override
    protected InetSocketAddress broker() {
        return new InetSocketAddress("127.0.0.1", SQS.port());
    }

    @Override
    protected Transport openDirect() {
        return FACTORY.open(SQS.url(), Map.of("wait_time_seconds", "1", "visibility_timeout", "5"));
    }

    @Override
    protected Transport openThrough(int proxyPort) {
        return FACTORY.open("sqs://test:test@127.0.0.1:" + proxyPort, Map.of("wait_time_seconds", "1",
                "visibility_timeout", "5"));
    }

    @Override
    protected int proxyPort() {
        return ElasticMq.freePort(SQS.port() + 1);
    }

    @Override
    protected boolean supportsBroadcast() {
        return false;
    }
}
