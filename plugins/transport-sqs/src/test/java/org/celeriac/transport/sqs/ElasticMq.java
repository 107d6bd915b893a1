package org.celeriac.transport.sqs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** ElasticMQ, SQS's API, in this JVM on loopback, on the first free port of 57500-57599; stopped after the class. */
final class ElasticMq implements BeforeAllCallback, AfterAllCallback {

    private SQSRestServer server;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) {
        port = freePort(57500);
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port).start();
        server.waitUntilStarted();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stopAndWait();
        }
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** kombu's form: the host in the URL is the endpoint; ElasticMQ takes any credentials. */
    String url() {
        return "sqs://test:test@127.0.0.1:" + port;
    }

    /** The first free loopback port of 57500-57599 from {@code from}. */
    static int freePort(int from) {
        for (int p = from; p < 57600; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
                return p;
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("No free port in 57500-57599 on 127.0.0.1");
    }
}
