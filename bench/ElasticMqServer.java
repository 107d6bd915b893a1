import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * The SQS of bench/run-sqs: ElasticMQ (SQS's API, in-memory queues) in a JVM of its own, on 127.0.0.1 only, started
 * as the transport-sqs tests start it. It is a stand-in: its speed says nothing about Amazon SQS's; it serves both
 * sides alike.
 *
 * <pre>
 *   ElasticMqServer PORT     listens on 127.0.0.1:PORT until the process is stopped (SIGTERM)
 * </pre>
 */
public final class ElasticMqServer {
    public static void main(String[] a) throws InterruptedException {
        int port = Integer.parseInt(a[0]);
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port).start();
        server.waitUntilStarted();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopAndWait, "elasticmq-shutdown"));
        System.out.println("ElasticMQ listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }
}
