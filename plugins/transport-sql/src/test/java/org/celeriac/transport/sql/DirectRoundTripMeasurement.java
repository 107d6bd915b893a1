package org.celeriac.transport.sql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a test: logs how long a {@code publishDirect} takes to reach a direct subscriber on another transport of the same
 * database, as a remote-control reply does. Run by hand:
 * {@code mvn -o verify -pl plugins/transport-sql -am -Dtest=DirectRoundTripMeasurement -Dceleriac.measure=true
 * -Dsurefire.failIfNoSpecifiedTests=false} (PostgreSQL with CELERIAC_TEST_POSTGRES_URL).
 *
 * <p>"other pool": the two transports come from separate factories, so no in-JVM signal wakes the subscriber, as
 * between two processes; "same pool": one factory, whose signal wakes the poller at once. Publishes are spaced by a
 * random pause so that they fall anywhere in the poll cycle. Times are from before {@code publishDirect} to the
 * listener's call.
 */
@EnabledIfSystemProperty(named = "celeriac.measure", matches = "true")
class DirectRoundTripMeasurement {

    private static final Logger LOG = LoggerFactory.getLogger(DirectRoundTripMeasurement.class);
    private static final int ROUNDS = 50;

    @TempDir
    Path dir;

    @Test
    void h2File() throws Exception {
        String url = "sql:file:" + dir.resolve("broker");
        for (String polling : List.of("0.1", "0.05")) {
            measure("H2 file, other pool, polling_interval " + polling, url, polling, false);
        }
        measure("H2 file, same pool", url, "0.1", true);
    }

    @Test
    void postgres() throws Exception {
        String url = System.getenv("CELERIAC_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "CELERIAC_TEST_POSTGRES_URL is not set");
        for (String polling : List.of("0.1", "0.05")) {
            measure("PostgreSQL, other pool, polling_interval " + polling, url, polling, false);
        }
        measure("PostgreSQL, same pool", url, "0.1", true);
    }

    private static void measure(String what, String url, String polling, boolean samePool) throws Exception {
        Map<String, String> options = Map.of("polling_interval", polling);
        long cycleMillis = Math.round(Double.parseDouble(polling) * 1000);
        SqlTransportFactory subscriberSide = new SqlTransportFactory();
        SqlTransportFactory publisherSide = samePool ? subscriberSide : new SqlTransportFactory();
        String exchange = "reply.measure.pidbox";
        String key = UUID.randomUUID().toString();
        BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        List<Double> millis = new ArrayList<>();
        try (Transport subscriber = subscriberSide.open(url, options);
                Transport publisher = publisherSide.open(url, options)) {
            Subscription s = subscriber.subscribeDirect(exchange, key, key + "." + exchange,
                    m -> arrivals.add(System.nanoTime()));
            Message reply = new Message("{\"w@h\": {\"ok\": \"pong\"}}".getBytes(StandardCharsets.UTF_8),
                    "application/json", "utf-8", Map.of("ticket", key, "clock", 1), Map.of());
            for (int i = -5; i < ROUNDS; i++) { // the first five warm up
                // a whole number of poll cycles, so that the publish falls anywhere in one with equal chance
                Thread.sleep(ThreadLocalRandom.current().nextLong(2 * cycleMillis));
                long sent = System.nanoTime();
                publisher.publishDirect(exchange, key, reply);
                Long arrived = arrivals.poll(10, TimeUnit.SECONDS);
                if (arrived == null) {
                    throw new AssertionError(what + ": no delivery within 10 s");
                }
                if (i >= 0) {
                    millis.add((arrived - sent) / 1e6);
                }
            }
            s.close();
        }
        Collections.sort(millis);
        LOG.info("{}: median {} ms, p90 {} ms, min {} ms, max {} ms over {} round trips", what,
                round(millis.get(millis.size() / 2)), round(millis.get(millis.size() * 9 / 10)), round(millis.get(0)),
                round(millis.get(millis.size() - 1)), millis.size());
    }

    private static String round(double ms) {
        return String.format("%.1f", ms);
    }
}
