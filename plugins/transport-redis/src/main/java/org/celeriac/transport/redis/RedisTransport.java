package org.celeriac.transport.redis;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.celeriac.redis.LuaScripts;
import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.RedisTls;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.TopicPattern;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.util.KeyValue;

/**
 * The transport on Redis, in kombu's Redis layout ({@code kombu/transport/redis.py}) so that Python Celery
 * workers and producers share the broker:
 * <ul>
 * <li>a queue is up to four lists, one per priority step {@code [0, 3, 6, 9]}: the queue's name for step 0, else
 *     {@code queue + "\x06\x16" + step} ({@code Channel._q_for_pri}, {@code Channel.priority}); messages are
 *     LPUSHed ({@code Channel._put}) and taken from the right, step 0 first: lower numbers are served first;</li>
 * <li>each message is kombu's JSON envelope with a base64 body ({@link Envelope});</li>
 * <li>a received message is recorded in the {@code unacked} hash (delivery tag to {@code [envelope, exchange,
 *     routing_key]}) and the {@code unacked_index} sorted set (delivery tag to the time in seconds), as
 *     {@code QoS.append} does; ack removes both, a requeue puts the envelope back at the far end
 *     ({@code QoS.reject} with {@code leftmost=True}) marked redelivered ({@code _do_restore_message});</li>
 * <li>entries older than the visibility timeout are put back by any consumer holding the {@code unacked_mutex}
 *     key ({@code QoS.restore_visible}); {@link #renew} refreshes their score;</li>
 * <li>broadcasts are PUBLISHed on {@code /{db}.{exchange}} ({@code keyprefix_fanout}) and received with
 *     PSUBSCRIBE;</li>
 * <li>topic exchanges are fanout exchanges with routing keys, as Celery's events use Redis ({@code get_exchange} makes
 *     {@code celeryev} a fanout exchange there): PUBLISHed on {@code /{db}.{exchange}/{routing key}}
 *     ({@code _get_publish_topic} with {@code fanout_patterns}), received with a PSUBSCRIBE on a glob of the pattern
 *     ({@link TopicGlob#glob}), and what the glob lets through that the AMQP pattern does not is dropped;</li>
 * <li>declaring a queue adds kombu's binding {@code queue\x06\x16\x06\x16queue} to {@code _kombu.binding.celery}
 *     (Celery's default direct exchange) and {@code _kombu.binding.<queue>} (Celery's automatic queues).</li>
 * <li>direct exchanges (Celery's remote-control replies on {@code reply.celery.pidbox}) route through the same
 *     binding sets: a subscription adds {@code routingKey\x06\x16\x06\x16queue} to {@code _kombu.binding.<exchange>}
 *     and reads the queue's lists; a publish LPUSHes onto the queues bound under its routing key.</li>
 * </ul>
 * The non-blocking receive pops and records in one Lua script. The blocking one is a BRPOP followed at once by the
 * HSET and ZADD, as kombu does: a process killed between the two loses that one message.
 */
final class RedisTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);

    static final String SEP = "\u0006\u0016";
    static final int[] PRIORITY_STEPS = {0, 3, 6, 9};
    static final String UNACKED = "unacked";
    static final String UNACKED_INDEX = "unacked_index";
    static final String UNACKED_MUTEX = "unacked_mutex";
    static final long UNACKED_MUTEX_EXPIRE_MS = 300_000;
    static final String BINDING_PREFIX = "_kombu.binding.";
    static final String DEFAULT_EXCHANGE = "celery";
    private static final int RESTORE_BATCH = 100;
    /** kombu's {@code Channel.visibility_timeout}. */
    static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(3600);
    /** The pool size without {@code max_connections}. */
    static final int DEFAULT_MAX_CONNECTIONS = 64;
    /**
     * The longest a blocking read waits by request: a BRPOP slice, and the time between PINGs on a subscription.
     * A blocking read that gets no reply within this plus the socket timeout gives up: its connection went silent.
     */
    static final int MAX_BLOCK_MILLIS = 1_000;

    /**
     * Records a popped entry in KEYS[1] (unacked) and KEYS[2] (unacked_index): {@code record(raw, queue, score,
     * salt)} returns its tag. The entry is stored verbatim (never re-encoded by cjson), whatever it is.
     *
     * <p>This is the broker's main cost per message, so it avoids decoding the envelope: the delivery tag, exchange
     * and routing key are found with plain (not pattern) searches for the key as kombu (Python's json,
     * {@code "key": "}) or Jackson ({@code "key":"}) writes it. A key in quotes followed by a colon only occurs as
     * a real key: inside a JSON string its quotes are escaped, and the body is base64. The captured value is JSON
     * string content as written, so it is stored back between quotes unchanged. The envelope's tag is kept only when
     * it is of kombu's kind (a UUID: letters, digits, dashes) and no entry held has it, else one is made: a tag of
     * other bytes would key the entry differently from how a client reads it back, and a replayed or forged tag
     * would overwrite another message's entry, which an ack of either would then remove.
     */
    private static final String RECORD_FUNCTIONS = """
            local function field(raw, name)
              local key = '"' .. name .. '": "'
              local s, e = string.find(raw, key, 1, true)
              if not s then
                key = '"' .. name .. '":"'
                s, e = string.find(raw, key, 1, true)
              end
              if not s then return nil end
              local q = string.find(raw, '"', e + 1, true)
              if not q then return nil end
              local v = string.sub(raw, e + 1, q - 1)
              if string.find(v, '\\\\', 1, true) then return nil, true end
              return v
            end
            -- the slow path, for values with escapes: decode the whole envelope
            local function decoded(raw)
              local ok, env = pcall(cjson.decode, raw)
              if not ok or type(env) ~= 'table' or type(env.properties) ~= 'table' then return nil, '', '' end
              local p = env.properties
              local di = type(p.delivery_info) == 'table' and p.delivery_info or {}
              local ex = type(di.exchange) == 'string' and di.exchange or ''
              local rk = type(di.routing_key) == 'string' and di.routing_key or ''
              local tag = type(p.delivery_tag) == 'string' and p.delivery_tag or nil
              return tag, string.sub(cjson.encode(ex), 2, -2), string.sub(cjson.encode(rk), 2, -2)
            end
            local seen = {}
            local function record(raw, queue, salt, hash, index, score)
              local tag, e1 = field(raw, 'delivery_tag')
              local ex, e2 = field(raw, 'exchange')
              local rk, e3 = field(raw, 'routing_key')
              if e1 or e2 or e3 then tag, ex, rk = decoded(raw) end
              if not tag or #tag > 64 or not string.find(tag, '^[%w%-]+$') then
                tag = redis.sha1hex(raw .. salt)
              end
              while seen[tag] or redis.call('HEXISTS', KEYS[1], tag) == 1 do tag = redis.sha1hex(tag .. salt) end
              seen[tag] = true
              ex = ex or ''
              if not rk or rk == '' then rk = string.sub(cjson.encode(queue), 2, -2) end
              hash[#hash + 1] = tag
              hash[#hash + 1] = '[' .. raw .. ', "' .. ex .. '", "' .. rk .. '"]'
              index[#index + 1] = score
              index[#index + 1] = tag
              return tag
            end
            """;

    /**
     * Pops up to ARGV[1] entries from KEYS[3..] in order and records each (see {@link #RECORD_FUNCTIONS}) with score
     * ARGV[2]. ARGV[3..] are the queue names of KEYS[3..]. Returns queue, tag, entry triples. The records are written
     * with one HSET and one ZADD for the lot.
     */
    private static final String POP_SCRIPT = RECORD_FUNCTIONS + """
            local max = tonumber(ARGV[1])
            local out = {}
            local hash = {}
            local index = {}
            local n = 0
            for i = 3, #KEYS do
              while n < max do
                local raw = redis.call('RPOP', KEYS[i])
                if not raw then break end
                local queue = ARGV[i]
                local tag = record(raw, queue, ARGV[2] .. i .. ':' .. n, hash, index, ARGV[2])
                n = n + 1
                out[#out + 1] = queue
                out[#out + 1] = tag
                out[#out + 1] = raw
              end
            end
            if n > 0 then
              redis.call('HSET', KEYS[1], unpack(hash))
              redis.call('ZADD', KEYS[2], unpack(index))
            end
            return out
            """;

    /**
     * Records ARGV[1], just taken by a blocking pop from queue ARGV[2], with score ARGV[3] (see
     * {@link #RECORD_FUNCTIONS}); returns its tag.
     */
    private static final String RECORD_SCRIPT = RECORD_FUNCTIONS + """
            local hash = {}
            local index = {}
            local tag = record(ARGV[1], ARGV[2], ARGV[3], hash, index, ARGV[3])
            redis.call('HSET', KEYS[1], unpack(hash))
            redis.call('ZADD', KEYS[2], unpack(index))
            return tag
            """;

    /**
     * Puts an unacked entry back if it is still ARGV[2]: removes ARGV[1] from KEYS[1] and KEYS[2] and pushes
     * ARGV[3] on KEYS[3..] (LPUSH when ARGV[4] is '1', else RPUSH). 1 when restored, 0 when gone, -1 when changed.
     */
    private static final String RESTORE_SCRIPT = """
            local p = redis.call('HGET', KEYS[1], ARGV[1])
            if not p then
              redis.call('ZREM', KEYS[2], ARGV[1])
              return 0
            end
            if p ~= ARGV[2] then return -1 end
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            for i = 3, #KEYS do
              if ARGV[4] == '1' then redis.call('LPUSH', KEYS[i], ARGV[3]) else redis.call('RPUSH', KEYS[i], ARGV[3]) end
            end
            return 1
            """;

    /**
     * Pushes ARGV[1] on each list KEYS[2..] whose binding ARGV[2..] is still in the binding set KEYS[1]: a queue
     * deleted since its binding was read (kombu's {@code queue_delete} removes the binding, then the lists) is not
     * made again as a list nobody reads. Returns how many it pushed on.
     */
    private static final String PUSH_BOUND_SCRIPT = """
            local n = 0
            for i = 2, #KEYS do
              if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then
                redis.call('LPUSH', KEYS[i], ARGV[1])
                n = n + 1
              end
            end
            return n
            """;

    private static final String UNLOCK_SCRIPT = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

    private final LuaScripts scripts = new LuaScripts();
    private final RedisUrl url;
    private final Duration visibilityTimeout;
    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final JedisPool pool;
    private final String fanoutPrefix;
    /** This instance's unsettled deliveries: delivery tag to queue. */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService restorer;
    private final AtomicInteger rotation = new AtomicInteger();
    private volatile boolean restoreFailing;
    /** The token of a restore lock this transport may still hold, its connection lost before it let go. */
    volatile String lostMutexToken;
    private volatile boolean closed;

    RedisTransport(RedisUrl url) {
        this.url = url;
        this.visibilityTimeout = visibilityTimeoutOf(url);
        this.address = url.address();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder();
        RedisTls tls = RedisTls.of(url);
        if (tls != null) {
            tls.applyTo(config);
        }
        this.clientConfig = config
                .user(url.user())
                .password(url.password())
                .database(url.db())
                .socketTimeoutMillis(url.socketTimeoutMillis())
                .connectionTimeoutMillis(url.connectTimeoutMillis())
                // jedis waits for a blocking reply without a timeout by default: forever on a connection whose peer
                // vanished without a reset (celery#8030: a consumer that never hears again)
                .blockingSocketTimeoutMillis(MAX_BLOCK_MILLIS + url.socketTimeoutMillis())
                .clientName("celeriac")
                .build();
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        // never below 2, as the transport always had it (the backend takes max_connections as given)
        int maxConnections = Math.max(2, url.maxConnections());
        poolConfig.setMaxTotal(maxConnections);
        poolConfig.setMaxIdle(maxConnections);
        poolConfig.setMinIdle(0);
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMaxWait(Duration.ofMillis(Math.max(url.socketTimeoutMillis(), url.connectTimeoutMillis())));
        poolConfig.setTestOnBorrow(true); // only connections idle for a while: see CheckedConnections
        poolConfig.setTestWhileIdle(true);
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, new CheckedConnections(address, clientConfig, url.where()));
        this.fanoutPrefix = "/" + url.db() + ".";
        try {
            call(j -> j.ping());
        } catch (TransportException e) {
            pool.close();
            throw e;
        }
        long period = Math.min(60_000, Math.max(1_000, visibilityTimeout.toMillis() / 4));
        AtomicInteger threads = new AtomicInteger();
        // two threads: a restore waiting on a slow Redis does not hold up the subscriptions' PINGs
        this.restorer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "celeriac-redis-" + url.where() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        restorer.scheduleWithFixedDelay(this::restoreVisibleQuietly, period, period, TimeUnit.MILLISECONDS);
        LOG.debug("Opened the Redis transport on {} (visibility timeout {})", url, visibilityTimeout);
    }

    // ---------------------------------------------------------------- keys

    /** kombu's {@code Channel.priority}: the highest step not above {@code n}. */
    static int step(int priority) {
        int p = Math.max(0, Math.min(9, priority));
        int s = PRIORITY_STEPS[0];
        for (int step : PRIORITY_STEPS) {
            if (step <= p) {
                s = step;
            }
        }
        return s;
    }

    /** kombu's {@code Channel._q_for_pri}. */
    static String listKey(String queue, int priority) {
        int s = step(priority);
        return s == 0 ? queue : queue + SEP + s;
    }

    private static String bindingEntry(String routingKey, String pattern, String queue) {
        return routingKey + SEP + pattern + SEP + queue;
    }

    private static String now() {
        // seconds with a fraction, as kombu's time(); built by hand because String.format is slow on this path
        long ms = System.currentTimeMillis();
        long frac = ms % 1000;
        return (ms / 1000) + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
    }

    // ---------------------------------------------------------------- verbs

    @Override
    public void declare(String queue) {
        String binding = bindingEntry(queue, "", queue);
        call(j -> {
            Pipeline p = j.pipelined();
            p.sadd(BINDING_PREFIX + DEFAULT_EXCHANGE, binding);
            p.sadd(BINDING_PREFIX + queue, binding);
            p.sync();
            return null;
        });
    }

    @Override
    public void publish(String queue, Message message) {
        String raw = Envelope.toJson(Envelope.encode(message, "", queue));
        String key = listKey(queue, message.priority());
        call(j -> j.lpush(key, raw));
    }

    @Override
    public void publishAll(String queue, List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<String[]> items = new ArrayList<>(messages.size());
        for (Message m : messages) {
            items.add(new String[] {listKey(queue, m.priority()), Envelope.toJson(Envelope.encode(m, "", queue))});
        }
        call(j -> {
            Pipeline p = j.pipelined();
            for (String[] item : items) {
                p.lpush(item[0], item[1]);
            }
            p.sync();
            return null;
        });
    }

    @Override
    public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
        if (max < 1 || queues.isEmpty()) {
            return List.of();
        }
        checkOpen();
        List<String> order = new ArrayList<>(new LinkedHashSet<>(queues));
        // kombu rotates its queue cycle so that a busy queue does not starve the others
        java.util.Collections.rotate(order, -Math.floorMod(rotation.getAndIncrement(), order.size()));
        List<String> keys = new ArrayList<>();
        Map<String, String> queueOfKey = new LinkedHashMap<>();
        for (int step : PRIORITY_STEPS) { // kombu's _brpop_start: for each step, each queue
            for (String q : order) {
                String key = listKey(q, step);
                keys.add(key);
                queueOfKey.put(key, q);
            }
        }
        List<Delivery> got = popRecorded(keys, queueOfKey, max);
        if (!got.isEmpty()) {
            return got;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        byte[][] keyArray = keys.stream().map(RedisTransport::bytes).toArray(byte[][]::new);
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            checkOpen();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            // Redis 6+ takes fractional seconds; waits are cut in slices of at most 1 s to notice interrupts
            double seconds = Math.max(0.01, Math.min(MAX_BLOCK_MILLIS / 1000.0, left / 1e9));
            // the record goes on the same connection right after the pop, so a closing pool cannot come between
            Popped popped = call(j -> {
                KeyValue<byte[], byte[]> kv;
                try {
                    kv = j.brpop(seconds, keyArray);
                } catch (JedisConnectionException e) {
                    if (e.getCause() instanceof SocketTimeoutException) {
                        dropSilentConnections(seconds);
                    }
                    throw e;
                }
                if (kv == null) {
                    return null;
                }
                String key = text(kv.getKey());
                String queue = queueOfKey.getOrDefault(key, key.split(SEP, 2)[0]);
                return new Popped(queue, recordAfterBlockingPop(j, queue, kv.getValue()), kv.getValue());
            });
            if (popped == null) {
                continue;
            }
            // Returned alone, without another round trip for more: the queue was empty a moment ago, and the
            // next receive takes whatever arrived since in one script call.
            return List.of(toDelivery(popped.queue(), popped.tag(), popped.raw()));
        }
    }

    /** An entry taken from a queue's list and recorded in unacked under {@code tag}: its bytes as they lay there. */
    private record Popped(String queue, String tag, byte[] raw) {
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A blocking pop outlived its wait by the socket timeout: Redis, or the network to it, went silent without
     * closing the connection. jedis drops that connection; the idle ones were opened before it and likely went
     * silent too, so they go as well, rather than each costing a socket timeout when next used.
     */
    private void dropSilentConnections(double waitSeconds) {
        LOG.warn("Redis at {} did not answer a blocking pop of {} ms within {} ms more: the connection went silent;"
                + " dropping it and reconnecting", url.where(), Math.round(waitSeconds * 1000),
                url.socketTimeoutMillis());
        pool.clear();
    }

    /** The non-blocking pass: pops and records in one script, so no message is lost between the two. */
    private List<Delivery> popRecorded(List<String> keys, Map<String, String> queueOfKey, int max) {
        // as bytes: an entry need not be UTF-8, and one that is not is handed over as it lay
        List<byte[]> scriptKeys = new ArrayList<>(keys.size() + 2);
        scriptKeys.add(bytes(UNACKED));
        scriptKeys.add(bytes(UNACKED_INDEX));
        List<byte[]> args = new ArrayList<>(keys.size() + 2);
        args.add(bytes(Integer.toString(max)));
        args.add(bytes(now()));
        for (String k : keys) {
            scriptKeys.add(bytes(k));
            args.add(bytes(queueOfKey.get(k)));
        }
        Object result = call(j -> scripts.runBinary(j, POP_SCRIPT, scriptKeys, args));
        List<Delivery> out = new ArrayList<>();
        if (result instanceof List<?> flat) {
            for (int i = 0; i + 2 < flat.size(); i += 3) {
                out.add(toDelivery(text((byte[]) flat.get(i)), text((byte[]) flat.get(i + 1)),
                        (byte[]) flat.get(i + 2)));
            }
        }
        return out;
    }

    /**
     * After a BRPOP: records the entry in unacked at once (kombu's QoS.append does the same, after the pop), in one
     * script call; returns its tag.
     */
    private String recordAfterBlockingPop(Jedis j, String queue, byte[] raw) {
        Object tag = scripts.runBinary(j, RECORD_SCRIPT, List.of(bytes(UNACKED), bytes(UNACKED_INDEX)),
                List.of(raw, bytes(queue), bytes(now())));
        return text((byte[]) tag);
    }

    /**
     * The delivery of an entry taken from a queue; one that is not a kombu envelope is handed over as unreadable, its
     * bytes as they came, for the worker to dead-letter: dropping it would lose what a producer sent without a word.
     */
    private Delivery toDelivery(String queue, String tag, byte[] raw) {
        held.put(tag, queue);
        try {
            Envelope.Decoded d = Envelope.decode(raw);
            return new Delivery(queue, d.message(), tag, d.redelivered());
        } catch (IllegalArgumentException e) {
            return Delivery.unreadable(queue, raw, tag, e.getMessage());
        }
    }

    @Override
    public void ack(Delivery delivery) {
        forget(tagOf(delivery));
    }

    /** One round trip for the lot: ZREM and HDEL of every tag, pipelined. */
    @Override
    public void ackAll(Collection<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        String[] tags = new String[deliveries.size()];
        int n = 0;
        for (Delivery d : deliveries) {
            tags[n++] = tagOf(d);
        }
        forget(tags);
    }

    @Override
    public void reject(Delivery delivery, boolean requeue) {
        String tag = tagOf(delivery);
        if (requeue) {
            call(j -> {
                restoreByTag(j, tag, true, delivery.queue());
                return null;
            });
            held.remove(tag);
        } else {
            forget(tag);
        }
    }

    private void forget(String... tags) {
        call(j -> {
            Pipeline p = j.pipelined();
            p.zrem(UNACKED_INDEX, tags);
            p.hdel(UNACKED, tags);
            p.sync();
            return null;
        });
        for (String tag : tags) {
            held.remove(tag);
        }
    }

    @Override
    public void renew(Collection<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        double score = Double.parseDouble(now());
        Map<String, Double> scores = new LinkedHashMap<>();
        for (Delivery d : deliveries) {
            scores.put(tagOf(d), score);
        }
        // XX: a lease that already expired and was restored is not brought back to life
        call(j -> j.zadd(UNACKED_INDEX, scores, ZAddParams.zAddParams().xx()));
    }

    @Override
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** The {@code visibility_timeout} option: seconds, kombu's default of an hour; positive. */
    static Duration visibilityTimeoutOf(RedisUrl url) {
        Duration visibility = url.seconds("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT);
        if (visibility.toMillis() < 1) {
            throw new IllegalArgumentException("visibility_timeout must be positive");
        }
        return visibility;
    }

    @Override
    public void broadcast(String exchange, Message message) {
        byte[] raw = Envelope.encodeBytes(message, exchange, "");
        byte[] channel = (fanoutPrefix + exchange).getBytes(StandardCharsets.UTF_8);
        call(j -> j.publish(channel, raw));
    }

    @Override
    public Subscription subscribe(String exchange, Consumer<Message> listener) {
        checkOpen();
        String escaped = escapeGlob(fanoutPrefix + exchange);
        // kombu publishes on /{db}.{exchange} and, with a routing key, /{db}.{exchange}/{routing key}
        return start(new RedisSubscription(exchange, listener, new String[] {escaped, escaped + "/*"}, channel -> true));
    }

    /** Transient unless the message says otherwise, as Celery's EventDispatcher sends events. */
    @Override
    public void publishTopic(String exchange, String routingKey, Message message) {
        Message m = message.properties().containsKey("delivery_mode") ? message : transientCopy(message);
        byte[] raw = Envelope.encodeBytes(m, exchange, routingKey);
        byte[] channel = topicChannel(exchange, routingKey).getBytes(StandardCharsets.UTF_8);
        call(j -> j.publish(channel, raw));
    }

    /** kombu's envelope of {@code message}, transient ({@code delivery_mode} 1) unless the message says otherwise. */
    private static String transientEnvelope(Message message, String exchange, String routingKey) {
        return Envelope.toJson(Envelope.encode(transientCopy(message), exchange, routingKey));
    }

    private static Message transientCopy(Message message) {
        Map<String, Object> properties = new LinkedHashMap<>(message.properties());
        properties.putIfAbsent("delivery_mode", 1);
        return new Message(message.body(), message.contentType(), message.contentEncoding(), message.headers(),
                properties);
    }

    /** kombu's {@code _get_publish_topic}: the exchange's fanout channel, then the routing key after a slash. */
    private String topicChannel(String exchange, String routingKey) {
        return routingKey.isEmpty() ? fanoutPrefix + exchange : fanoutPrefix + exchange + "/" + routingKey;
    }

    @Override
    public Subscription subscribeTopic(String exchange, String pattern, Consumer<Message> listener) {
        checkOpen();
        TopicPattern topic = TopicPattern.of(pattern);
        String bare = fanoutPrefix + exchange;
        List<String> globs = new ArrayList<>();
        if (!topic.words().isEmpty()) {
            globs.add(escapeGlob(bare) + "/" + TopicGlob.glob(topic));
        }
        if (topic.matches("")) {
            globs.add(escapeGlob(bare)); // published without a routing key
        }
        String withKey = bare + "/";
        Predicate<String> wanted = channel -> channel.equals(bare)
                ? topic.matches("") : channel.startsWith(withKey) && topic.matches(channel.substring(withKey.length()));
        return start(new RedisSubscription(exchange, listener, globs.toArray(String[]::new), wanted));
    }

    /**
     * kombu's direct exchange ({@code DirectExchange.deliver}): the envelope goes on each queue whose binding in
     * {@code _kombu.binding.<exchange>} has this routing key; with none it is dropped, as kombu's empty
     * {@code get_table} drops it. Transient unless the message says otherwise, as kombu's reply exchange sends.
     */
    @Override
    public void publishDirect(String exchange, String routingKey, Message message) {
        String raw = transientEnvelope(message, exchange, routingKey);
        String table = BINDING_PREFIX + exchange;
        call(j -> {
            List<String> keys = new ArrayList<>();
            List<String> args = new ArrayList<>();
            keys.add(table);
            args.add(raw);
            Set<String> queues = new HashSet<>();
            for (String entry : j.smembers(table)) {
                String[] parts = entry.split(SEP, -1);
                if (parts.length == 3 && parts[0].equals(routingKey) && queues.add(parts[2])) {
                    keys.add(listKey(parts[2], message.priority()));
                    args.add(entry);
                }
            }
            return keys.size() > 1 ? script(j, PUSH_BOUND_SCRIPT, keys, args) : null;
        });
    }

    /**
     * kombu's {@code queue_bind} to a direct exchange (the entry {@code routingKey\x06\x16\x06\x16queue} in
     * {@code _kombu.binding.<exchange>}), bound before this returns, and the queue's lists read as kombu's no-ack
     * consumer reads them; closing is kombu's {@code queue_delete}.
     */
    @Override
    public Subscription subscribeDirect(String exchange, String routingKey, String queue, Consumer<Message> listener) {
        checkOpen();
        DirectSubscription s = new DirectSubscription(BINDING_PREFIX + exchange, bindingEntry(routingKey, "", queue),
                queue, listener);
        call(j -> j.sadd(s.table, s.entry));
        subscriptions.add(s);
        s.start();
        return s;
    }

    private Subscription start(RedisSubscription s) {
        subscriptions.add(s);
        try {
            s.start();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @Override
    public long purge(String queue) {
        return call(j -> {
            Pipeline p = j.pipelined();
            List<Response<Long>> sizes = new ArrayList<>();
            for (int step : PRIORITY_STEPS) {
                String key = listKey(queue, step);
                sizes.add(p.llen(key));
                p.del(key);
            }
            p.sync();
            return sizes.stream().mapToLong(Response::get).sum();
        });
    }

    @Override
    public long size(String queue) {
        return call(j -> {
            Pipeline p = j.pipelined();
            List<Response<Long>> sizes = new ArrayList<>();
            for (int step : PRIORITY_STEPS) {
                sizes.add(p.llen(listKey(queue, step)));
            }
            p.sync();
            return sizes.stream().mapToLong(Response::get).sum();
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        restorer.shutdownNow();
        for (Subscription s : subscriptions) {
            s.close();
        }
        // kombu's QoS.restore_unacked on channel close: back to the consuming end
        if (!held.isEmpty()) {
            try (Jedis j = pool.getResource()) {
                for (Map.Entry<String, String> e : held.entrySet()) {
                    restoreByTag(j, e.getKey(), false, e.getValue());
                }
            } catch (JedisException | IllegalArgumentException e) {
                LOG.warn("Could not return {} unsettled message(s) to {}; the visibility timeout will: {}",
                        held.size(), url, e.getMessage());
            }
            held.clear();
        }
        pool.close();
    }

    // ---------------------------------------------------------------- restore

    /**
     * kombu's {@code QoS.restore_by_tag}: takes the entry out of unacked and pushes it, marked redelivered, on the
     * lists of the queues its exchange and routing key lead to ({@code leftmost}: at the far end, as a requeue).
     */
    private void restoreByTag(Jedis j, String tag, boolean leftmost, String fallbackQueue) {
        // as bytes: an entry need not be UTF-8, and one read as text would never compare equal to itself
        byte[] key = bytes(tag);
        for (int attempt = 0; attempt < 10; attempt++) {
            byte[] entry = j.hget(bytes(UNACKED), key);
            if (entry == null) {
                j.zrem(UNACKED_INDEX, tag);
                return;
            }
            Envelope.Restorable r;
            try {
                r = Envelope.forRestore(entry);
            } catch (IllegalArgumentException e) {
                LOG.error("Dropping unacked entry {}: {}", tag, e.getMessage());
                j.hdel(UNACKED, tag);
                j.zrem(UNACKED_INDEX, tag);
                return;
            }
            List<byte[]> keys = new ArrayList<>();
            keys.add(bytes(UNACKED));
            keys.add(bytes(UNACKED_INDEX));
            for (String q : lookup(j, r.exchange(), r.routingKey(), fallbackQueue)) {
                keys.add(bytes(listKey(q, r.priority())));
            }
            Object done = scripts.runBinary(j, RESTORE_SCRIPT, keys,
                    List.of(key, entry, r.payload(), bytes(leftmost ? "1" : "0")));
            if (!(done instanceof Long l) || l >= 0) {
                return;
            }
        }
        LOG.warn("Unacked entry {} kept changing; left for the visibility timeout", tag);
    }

    /** kombu's {@code Channel._lookup}: the anonymous exchange routes to the queue named by the key. */
    private static List<String> lookup(Jedis j, String exchange, String routingKey, String fallbackQueue) {
        if (exchange == null || exchange.isEmpty()) {
            String q = routingKey == null || routingKey.isEmpty() ? fallbackQueue : routingKey;
            return q == null ? List.of() : List.of(q);
        }
        Set<String> table = j.smembers(BINDING_PREFIX + exchange);
        List<String> queues = new ArrayList<>();
        for (String row : table) {
            String[] parts = row.split(SEP, -1);
            if (parts.length == 3 && (parts[0].equals(routingKey) || parts[0].equals("#") || parts[0].equals("*"))) {
                if (!queues.contains(parts[2])) {
                    queues.add(parts[2]);
                }
            }
        }
        if (queues.isEmpty()) {
            String q = fallbackQueue != null ? fallbackQueue : routingKey;
            if (q != null && !q.isEmpty()) {
                queues.add(q);
            }
        }
        return queues;
    }

    private void restoreVisibleQuietly() {
        try {
            restoreVisible();
            restoreFailing = false;
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            // once per outage: it runs every few seconds, and the pool says when Redis is back
            if (!restoreFailing) {
                restoreFailing = true;
                LOG.warn("Restoring timed-out messages on {} failed: {}", url, e.getMessage());
            } else {
                LOG.debug("Restoring timed-out messages on {} failed again: {}", url, e.getMessage());
            }
        }
    }

    /** kombu's {@code QoS.restore_visible}, under the {@code unacked_mutex} lock. */
    int restoreVisible() {
        if (closed) {
            return 0;
        }
        String token = UUID.randomUUID().toString();
        try (Jedis j = pool.getResource()) {
            releaseLostMutex(j);
            lostMutexToken = token; // until released: a connection lost from here on may leave the lock set
            if (j.set(UNACKED_MUTEX, token, SetParams.setParams().nx().px(UNACKED_MUTEX_EXPIRE_MS)) == null) {
                lostMutexToken = null;
                return 0; // MutexHeld: another consumer restores
            }
            try {
                double ceil = System.currentTimeMillis() / 1000.0 - visibilityTimeout.toMillis() / 1000.0;
                int restored = 0;
                for (int round = 0; round < 10 && !closed; round++) {
                    List<String> due = j.zrangeByScore(UNACKED_INDEX, 0, ceil, 0, RESTORE_BATCH);
                    for (String tag : due) {
                        restoreByTag(j, tag, false, null);
                        held.remove(tag);
                    }
                    restored += due.size();
                    if (due.size() < RESTORE_BATCH) {
                        break;
                    }
                }
                if (restored > 0) {
                    LOG.info("Restored {} message(s) unacked for longer than {} on {}", restored,
                            visibilityTimeout, url);
                }
                return restored;
            } finally {
                j.eval(UNLOCK_SCRIPT, List.of(UNACKED_MUTEX), List.of(token));
                lostMutexToken = null;
            }
        }
    }

    /**
     * Releases the lock of a restore whose connection broke (Redis restarted, say) on the next run, rather than
     * leaving it to expire: no consumer would restore anything for five minutes.
     */
    private void releaseLostMutex(Jedis j) {
        String lost = lostMutexToken;
        if (lost != null) {
            j.eval(UNLOCK_SCRIPT, List.of(UNACKED_MUTEX), List.of(lost));
            lostMutexToken = null;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private Object script(Jedis j, String source, List<String> keys, List<String> args) {
        return scripts.run(j, source, keys, args);
    }

    private static String tagOf(Delivery d) {
        if (d.tag() instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("Not a delivery of the Redis transport: " + d.tag());
    }

    private void checkOpen() {
        if (closed) {
            throw new TransportException("The Redis transport on " + url + " is closed");
        }
    }

    private <T> T call(Function<Jedis, T> action) {
        try (Jedis j = pool.getResource()) {
            return action.apply(j);
        } catch (JedisException e) {
            throw new TransportException("Redis at " + url.where() + ": " + RedisTls.explain(e), e);
        } catch (IllegalStateException e) {
            if (closed) {
                throw new TransportException("The Redis transport on " + url + " is closed", e);
            }
            throw e;
        }
    }

    /**
     * A subscription read on a connection and a thread of its own: it connects, {@link #read}s until the connection
     * fails, then waits a second and connects again, until it or the transport is closed.
     */
    private abstract class ReconnectingReader implements Subscription {
        private final Consumer<Message> listener;
        /** What a message not handled came as, for the warning: {@code "Message on q"}. */
        private final String received;
        /** What the warning says when the connection breaks: {@code "Reading q on Redis at host failed"}. */
        private final String failure;
        volatile boolean stopped;
        volatile Jedis connection;
        /** The connection broke and reading on a new one has not resumed yet; used by the reading thread only. */
        boolean lost;
        private Thread thread;

        ReconnectingReader(Consumer<Message> listener, String received, String failure) {
            this.listener = listener;
            this.received = received;
            this.failure = failure;
        }

        /** Reads on {@code j} until the subscription stops; a JedisException has it read on a new connection. */
        abstract void read(Jedis j);

        final void startReading(String threadName) {
            thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!stopped && !closed) {
                try (Jedis j = new Jedis(address, clientConfig)) {
                    connection = j;
                    if (stopped) {
                        return;
                    }
                    read(j);
                } catch (JedisException e) {
                    if (stopped || closed) {
                        return;
                    }
                    LOG.warn("{}, reconnecting: {}", failure, e.getMessage());
                    lost = true;
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                } finally {
                    connection = null;
                }
            }
        }

        /** Hands a kombu envelope's message to the listener; a listener's failure stays the listener's. */
        final void deliver(String raw) {
            try {
                listener.accept(Envelope.decode(raw).message());
            } catch (RuntimeException e) {
                LOG.warn("{} not handled: {}", received, e.toString());
            }
        }

        /** Marks the subscription stopped, once: false when it was already. */
        final boolean stop() {
            if (stopped) {
                return false;
            }
            stopped = true;
            subscriptions.remove(this);
            return true;
        }

        /** Waits a little for the reading thread to end, once {@link #stop} and a broken read let it. */
        final void awaitReader() {
            if (thread != null && thread != Thread.currentThread()) {
                try {
                    thread.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A PSUBSCRIBE on a connection of its own, read by a thread of its own; reconnects until closed. */
    private final class RedisSubscription extends ReconnectingReader {
        private final String exchange;
        private final String[] patterns;
        /** Whether a message on a channel is for the listener: PSUBSCRIBE globs catch more than a topic pattern. */
        private final Predicate<String> wanted;
        private final CountDownLatch subscribed = new CountDownLatch(1);
        private volatile JedisPubSub pubsub;
        private ScheduledFuture<?> pinger;

        RedisSubscription(String exchange, Consumer<Message> listener, String[] patterns,
                          Predicate<String> wanted) {
            super(listener, "Broadcast on " + exchange,
                    "Subscription to " + exchange + " on Redis at " + url.where() + " lost");
            this.exchange = exchange;
            this.patterns = patterns;
            this.wanted = wanted;
        }

        void start() {
            startReading("celeriac-redis-fanout-" + exchange);
            pinger = restorer.scheduleWithFixedDelay(this::ping, MAX_BLOCK_MILLIS, MAX_BLOCK_MILLIS,
                    TimeUnit.MILLISECONDS);
            try {
                if (!subscribed.await(Math.max(5_000, url.connectTimeoutMillis()), TimeUnit.MILLISECONDS)) {
                    throw new TransportException("Could not subscribe to " + exchange + " on Redis at " + url.where());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("Interrupted while subscribing to " + exchange, null);
            }
        }

        @Override
        void read(Jedis j) {
            JedisPubSub ps = new JedisPubSub() {
                @Override
                public void onPSubscribe(String pattern, int count) {
                    if (count == patterns.length) {
                        subscribed.countDown();
                        if (lost) {
                            LOG.info("Subscribed to {} on Redis at {} again", exchange, url.where());
                            lost = false;
                        }
                    }
                }

                @Override
                public void onPMessage(String pattern, String channel, String payload) {
                    if (wanted.test(channel)) {
                        deliver(payload);
                    }
                }
            };
            pubsub = ps;
            if (stopped) { // close() looked before pubsub was this one: it would not unsubscribe it
                return;
            }
            j.psubscribe(ps, patterns);
        }

        /**
         * Keeps the connection talking: a read that hears nothing (no PONG, no message) within the socket timeout
         * fails, and the reader reconnects, instead of waiting forever on a connection that went silent.
         */
        private synchronized void ping() {
            JedisPubSub ps = pubsub;
            if (stopped || ps == null || !ps.isSubscribed()) {
                return;
            }
            try {
                ps.ping();
            } catch (RuntimeException e) {
                LOG.debug("Cannot PING the subscription to {} on Redis at {}: {}", exchange, url.where(), e.toString());
            }
        }

        @Override
        public void close() {
            if (!stop()) {
                return;
            }
            if (pinger != null) {
                pinger.cancel(false);
            }
            synchronized (this) { // not while a PING is written
                JedisPubSub ps = pubsub;
                try {
                    if (ps != null && ps.isSubscribed()) {
                        ps.punsubscribe();
                    }
                } catch (RuntimeException e) {
                    disconnectQuietly(connection);
                }
            }
            awaitReader();
        }
    }

    /**
     * Drops a reader's connection to end its blocking read; one the fault already broke may fail to say goodbye,
     * which is no reason for a close to fail.
     */
    private static void disconnectQuietly(Jedis c) {
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                LOG.debug("Disconnecting a reader's connection: {}", e.toString());
            }
        }
    }

    /**
     * A queue bound to a direct exchange, read with BRPOP on a connection and thread of its own, every priority list
     * with step 0 first, without acks (kombu's reply consumer has {@code no_ack}); reconnects until closed, binding
     * the queue again (Redis may have come back without it).
     */
    private final class DirectSubscription extends ReconnectingReader {
        final String table;
        final String entry;
        private final String queue;
        private final String[] lists;

        DirectSubscription(String table, String entry, String queue, Consumer<Message> listener) {
            super(listener, "Message on " + queue, "Reading " + queue + " on Redis at " + url.where() + " failed");
            this.table = table;
            this.entry = entry;
            this.queue = queue;
            this.lists = Arrays.stream(PRIORITY_STEPS).mapToObj(step -> listKey(queue, step))
                    .toArray(String[]::new);
        }

        void start() {
            startReading("celeriac-redis-direct-" + queue);
        }

        @Override
        void read(Jedis j) {
            if (lost) {
                j.sadd(table, entry);
                LOG.info("Reading {} on Redis at {} again", queue, url.where());
                lost = false;
            }
            while (!stopped && !closed) {
                // at most the blocking socket timeout's allowance, so that a silent connection is noticed
                KeyValue<String, String> kv = j.brpop(MAX_BLOCK_MILLIS / 1000.0, lists);
                if (kv != null && !stopped) {
                    deliver(kv.getValue());
                }
            }
        }

        @Override
        public void close() {
            if (!stop()) {
                return;
            }
            disconnectQuietly(connection); // ends a BRPOP now rather than at the end of its second
            awaitReader();
            // the binding first: a publisher that read it already pushes before it goes (PUSH_BOUND_SCRIPT), and the
            // lists go after
            try {
                call(j -> {
                    Pipeline p = j.pipelined();
                    p.srem(table, entry);
                    for (String list : lists) {
                        p.del(list);
                    }
                    p.sync();
                    return null;
                });
            } catch (TransportException e) {
                LOG.warn("Could not delete queue {} on Redis at {}: {}", queue, url.where(), e.getMessage());
            }
        }
    }

    private static String escapeGlob(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
