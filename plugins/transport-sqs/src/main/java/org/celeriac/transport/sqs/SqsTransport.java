package org.celeriac.transport.sqs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.PurgeQueueInProgressException;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Amazon SQS as kombu's SQS transport uses it, so that Python Celery shares the queues: one SQS queue per Celery
 * queue ({@link QueueNames}), created on first use with the visibility timeout as an attribute; each message
 * kombu's base64'd envelope ({@link SqsEnvelope}).
 *
 * <p>A received message is leased for {@code visibility_timeout} (asked for on every receive, so the lease is
 * this transport's whatever the queue's attribute says), renewed by {@link #renew} with ChangeMessageVisibility;
 * ack deletes it, reject with requeue makes it visible again at once. Sends, deletes and renewals go in batches of
 * ten, SQS's most. A single queue is long-polled; several are polled in turn, {@code polling_interval} apart
 * when all are empty, as kombu does.
 *
 * <p>SQS has no fanout, so broadcasts, topics and direct exchanges (remote control, events) are not supported: they
 * throw {@link UnsupportedOperationException}, as Celery has neither on SQS.
 */
final class SqsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(SqsTransport.class);
    /** SQS's most per batch call and per receive. */
    static final int BATCH = 10;
    /** SQS's most for how long a message stays invisible after its receipt, renewals included. */
    private static final Duration MAX_HOLD = Duration.ofHours(12);
    /** SQS's most for a batch's bodies together (256 KiB). */
    private static final int BATCH_BYTES = 256 * 1024;
    static final String NO_FANOUT = "SQS has no fanout exchanges: broadcasts, topics and direct exchanges (remote "
            + "control: inspect and control; events) are not supported on SQS, as Celery does not support them there "
            + "either. Use Redis or RabbitMQ as the broker for them";

    /** How a delivery is settled: the queue's URL and SQS's receipt handle. */
    record Receipt(String queueUrl, String handle) {
    }

    private final SqsSettings settings;
    private final SqsClient sqs;
    private final Map<String, String> urls = new ConcurrentHashMap<>();
    /** Received and not yet settled: given back (visibility 0) on close. */
    private final Set<Receipt> held = ConcurrentHashMap.newKeySet();
    /** Where the next multi-queue poll starts, so that one busy queue does not starve the others. */
    private final AtomicInteger rotation = new AtomicInteger();

    SqsTransport(SqsSettings settings, SqsClient sqs) {
        this.settings = settings;
        this.sqs = sqs;
    }

    @Override
    public void declare(String queue) {
        url(queue);
    }

    /** The queue's URL: predefined, or looked up, or the queue created with kombu's attributes. */
    String url(String queue) {
        String url = urls.get(queue);
        if (url != null) {
            return url;
        }
        String name = QueueNames.sqsName(settings.queueNamePrefix(), queue);
        if (!settings.predefinedQueues().isEmpty()) {
            url = settings.predefinedQueues().get(name);
            if (url == null) {
                throw new IllegalArgumentException("Queue " + name + " must be defined in predefined_queues");
            }
        } else {
            url = call("look up queue " + name, () -> {
                try {
                    return sqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
                } catch (QueueDoesNotExistException e) {
                    Map<QueueAttributeName, String> attributes = new LinkedHashMap<>();
                    attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT,
                            Long.toString(settings.visibilityTimeout().toSeconds()));
                    if (QueueNames.isFifo(name)) {
                        attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
                    }
                    LOG.info("Creating SQS queue {}", name);
                    return sqs.createQueue(r -> r.queueName(name).attributes(attributes)).queueUrl();
                }
            });
        }
        urls.put(queue, url);
        return url;
    }

    @Override
    public void publish(String queue, Message message) {
        String url = url(queue);
        String body = SqsEnvelope.encode(message, queue);
        boolean fifo = QueueNames.isFifo(url);
        call("send to " + queue, () -> sqs.sendMessage(r -> {
            r.queueUrl(url).messageBody(body);
            if (fifo) {
                r.messageGroupId(SqsEnvelope.groupId(message)).messageDeduplicationId(
                        SqsEnvelope.deduplicationId(message));
            }
        }));
    }

    @Override
    public void publishAll(String queue, List<Message> messages) {
        String url = url(queue);
        boolean fifo = QueueNames.isFifo(url);
        List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
        int bytes = 0;
        for (Message m : messages) {
            String body = SqsEnvelope.encode(m, queue);
            if (!batch.isEmpty() && (batch.size() == BATCH || bytes + body.length() > BATCH_BYTES)) {
                sendBatch(queue, url, batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            SendMessageBatchRequestEntry.Builder e = SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(batch.size())).messageBody(body);
            if (fifo) {
                e.messageGroupId(SqsEnvelope.groupId(m)).messageDeduplicationId(SqsEnvelope.deduplicationId(m));
            }
            batch.add(e.build());
            bytes += body.length();
        }
        if (!batch.isEmpty()) {
            sendBatch(queue, url, batch);
        }
    }

    private void sendBatch(String queue, String url, List<SendMessageBatchRequestEntry> batch) {
        List<BatchResultErrorEntry> failed = call("send to " + queue,
                () -> sqs.sendMessageBatch(r -> r.queueUrl(url).entries(batch)).failed());
        if (!failed.isEmpty()) {
            throw new TransportException("SQS refused " + failed.size() + " of " + batch.size()
                    + " messages sent to " + queue + ": " + describe(failed));
        }
    }

    @Override
    public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
        List<String> names = List.copyOf(queues);
        if (names.isEmpty() || max <= 0) {
            return List.of();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<Delivery> got = new ArrayList<>();
            int start = Math.floorMod(rotation.getAndIncrement(), names.size());
            for (int i = 0; i < names.size() && got.size() < max; i++) {
                got.addAll(receiveFrom(names.get((start + i) % names.size()), max - got.size(), 0));
            }
            if (!got.isEmpty()) {
                return got;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return got;
            }
            int longPoll = (int) Math.min(settings.waitTimeSeconds(), Duration.ofNanos(remaining).toSeconds());
            if (names.size() == 1 && longPoll >= 1) {
                // SQS waits on the server for the first message: no polling, no delay
                got = receiveFrom(names.get(0), max, longPoll);
                if (!got.isEmpty()) {
                    return got;
                }
            } else {
                long pause = Math.min(remaining, settings.pollingInterval().toNanos());
                Thread.sleep(Math.max(1, pause / 1_000_000));
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private List<Delivery> receiveFrom(String queue, int max, int waitSeconds) {
        String url = url(queue);
        List<software.amazon.awssdk.services.sqs.model.Message> messages;
        try {
            messages = call("receive from " + queue, () -> sqs.receiveMessage(r -> r.queueUrl(url)
                    .maxNumberOfMessages(Math.min(max, BATCH))
                    .waitTimeSeconds(waitSeconds)
                    .visibilityTimeout((int) settings.visibilityTimeout().toSeconds())
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages());
        } catch (TransportException e) {
            if (e.getCause() instanceof QueueDoesNotExistException) {
                urls.remove(queue, url); // deleted under us: created again on the next call
            }
            throw e;
        }
        List<Delivery> deliveries = new ArrayList<>(messages.size());
        for (software.amazon.awssdk.services.sqs.model.Message m : messages) {
            Receipt receipt = new Receipt(url, m.receiptHandle());
            Message message = read(queue, m);
            held.add(receipt);
            deliveries.add(new Delivery(queue, message, receipt, redelivered(m, message)));
        }
        return deliveries;
    }

    /** kombu's envelope, or, for a body that is not one, the raw text for the worker to dead-letter. */
    private static Message read(String queue, software.amazon.awssdk.services.sqs.model.Message m) {
        try {
            return SqsEnvelope.decode(m.body());
        } catch (IllegalArgumentException e) {
            LOG.warn("SQS message {} on {} is not a kombu envelope: {}", m.messageId(), queue, e.getMessage());
            return new Message(m.body().getBytes(StandardCharsets.UTF_8), "application/data", "utf-8", Map.of(),
                    Map.of());
        }
    }

    /** SQS counts receives; a message received before was given out and not deleted (or kombu marked it). */
    private static boolean redelivered(software.amazon.awssdk.services.sqs.model.Message m, Message message) {
        String count = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        if (count != null && !count.equals("1") && !count.equals("0")) {
            return true;
        }
        return Boolean.TRUE.equals(message.headers().get("redelivered"))
                || message.properties().get("delivery_info") instanceof Map<?, ?> info
                && Boolean.TRUE.equals(info.get("redelivered"));
    }

    @Override
    public void ack(Delivery delivery) {
        Receipt r = receipt(delivery);
        call("delete from " + delivery.queue(), () -> sqs.deleteMessage(b -> b.queueUrl(r.queueUrl())
                .receiptHandle(r.handle())));
        held.remove(r);
    }

    @Override
    public void ackAll(Collection<Delivery> deliveries) {
        inBatches(deliveries, (url, batch) -> {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(batch.get(i).handle()).build());
            }
            return call("delete", () -> sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(entries)).failed());
        }, "delete");
        for (Delivery d : deliveries) {
            held.remove(receipt(d));
        }
    }

    @Override
    public void reject(Delivery delivery, boolean requeue) {
        if (!requeue) {
            ack(delivery);
            return;
        }
        Receipt r = receipt(delivery);
        call("give back to " + delivery.queue(), () -> sqs.changeMessageVisibility(b -> b.queueUrl(r.queueUrl())
                .receiptHandle(r.handle()).visibilityTimeout(0)));
        held.remove(r);
    }

    @Override
    public void renew(Collection<Delivery> deliveries) {
        int seconds = (int) settings.visibilityTimeout().toSeconds();
        List<Receipt> receipts = deliveries.stream().map(SqsTransport::receipt).toList();
        changeVisibility(receipts, seconds, "renew");
    }

    @Override
    public Duration visibilityTimeout() {
        return settings.visibilityTimeout();
    }

    /**
     * SQS keeps a received message hidden at most 12 hours from its receipt, however often it is renewed: the kernel
     * hands a message held for a more distant ETA back as a fresh copy before then.
     */
    @Override
    public Duration maxHold() {
        return MAX_HOLD;
    }

    private void changeVisibility(Collection<Receipt> receipts, int seconds, String what) {
        inBatchesOf(receipts, (url, batch) -> {
            List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                        .receiptHandle(batch.get(i).handle()).visibilityTimeout(seconds).build());
            }
            return call(what, () -> sqs.changeMessageVisibilityBatch(b -> b.queueUrl(url).entries(entries))
                    .failed());
        }, what);
    }

    private void inBatches(Collection<Delivery> deliveries,
                           java.util.function.BiFunction<String, List<Receipt>, List<BatchResultErrorEntry>> call,
                           String what) {
        inBatchesOf(deliveries.stream().map(SqsTransport::receipt).toList(), call, what);
    }

    /**
     * Runs a batch call per queue and ten receipts. Entries SQS fails (a receipt handle gone stale, the message
     * having been received by another consumer since) are logged: their messages come back, as at-least-once allows.
     */
    private void inBatchesOf(Collection<Receipt> receipts,
                             java.util.function.BiFunction<String, List<Receipt>, List<BatchResultErrorEntry>> call,
                             String what) {
        Map<String, List<Receipt>> byQueue = new LinkedHashMap<>();
        for (Receipt r : receipts) {
            byQueue.computeIfAbsent(r.queueUrl(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Receipt>> q : byQueue.entrySet()) {
            List<Receipt> all = q.getValue();
            for (int from = 0; from < all.size(); from += BATCH) {
                List<BatchResultErrorEntry> failed = call.apply(q.getKey(),
                        all.subList(from, Math.min(all.size(), from + BATCH)));
                if (!failed.isEmpty()) {
                    LOG.warn("SQS could not {} {} messages on {}: {}", what, failed.size(), q.getKey(),
                            describe(failed));
                }
            }
        }
    }

    @Override
    public void broadcast(String exchange, Message message) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    @Override
    public Subscription subscribe(String exchange, Consumer<Message> listener) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    @Override
    public void publishTopic(String exchange, String routingKey, Message message) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    @Override
    public Subscription subscribeTopic(String exchange, String pattern, Consumer<Message> listener) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    @Override
    public void publishDirect(String exchange, String routingKey, Message message) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    @Override
    public Subscription subscribeDirect(String exchange, String routingKey, String queue,
                                        Consumer<Message> listener) {
        throw new UnsupportedOperationException(NO_FANOUT);
    }

    /**
     * Empties a queue with PurgeQueue, returning the count SQS gave just before; SQS allows one purge a minute per
     * queue, so a purge within that minute of another deletes what it receives instead.
     */
    @Override
    public long purge(String queue) {
        String url = url(queue);
        long count = size(queue);
        try {
            call("purge " + queue, () -> sqs.purgeQueue(r -> r.queueUrl(url)));
            return count;
        } catch (TransportException e) {
            if (!(e.getCause() instanceof PurgeQueueInProgressException)) {
                throw e;
            }
        }
        long deleted = 0;
        while (true) {
            List<software.amazon.awssdk.services.sqs.model.Message> got = call("purge " + queue,
                    () -> sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(BATCH)).messages());
            if (got.isEmpty()) {
                return deleted;
            }
            List<Receipt> receipts = got.stream().map(m -> new Receipt(url, m.receiptHandle())).toList();
            inBatchesOf(receipts, (u, batch) -> {
                List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                            .receiptHandle(batch.get(i).handle()).build());
                }
                return call("purge", () -> sqs.deleteMessageBatch(b -> b.queueUrl(u).entries(entries)).failed());
            }, "purge");
            deleted += got.size();
        }
    }

    /** SQS's ApproximateNumberOfMessages: visible messages, not those in flight or delayed. */
    @Override
    public long size(String queue) {
        String url = url(queue);
        String n = call("size of " + queue, () -> sqs.getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        return n == null ? 0 : Long.parseLong(n);
    }

    /** Makes every unsettled message visible again at once, so that another consumer need not wait out its lease. */
    @Override
    public void close() {
        try {
            if (!held.isEmpty()) {
                changeVisibility(List.copyOf(held), 0, "give back");
                held.clear();
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not give unsettled SQS messages back; they return when their visibility timeout ends: {}",
                    e.getMessage());
        } finally {
            sqs.close();
        }
    }

    private static Receipt receipt(Delivery d) {
        if (d.tag() instanceof Receipt r) {
            return r;
        }
        throw new IllegalArgumentException("Not a delivery of the SQS transport: " + d);
    }

    /** Runs an SQS call; SDK failures become a TransportException naming what failed and where. */
    private <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (SdkException e) {
            throw new TransportException("SQS (" + (settings.endpoint() == null ? "region " + settings.region()
                    : settings.endpoint()) + ") could not " + what + ": " + e.getMessage(), e);
        }
    }

    private static String describe(List<BatchResultErrorEntry> failed) {
        return failed.stream().map(f -> f.code() + " " + f.message()).distinct()
                .reduce((a, b) -> a + "; " + b).orElse("");
    }
}
