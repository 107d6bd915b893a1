package org.celeriac.transport.amqp;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MalformedFrameException;
import com.rabbitmq.client.WriteListener;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.ContentHeaderPropertyReader;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.FrameHandler;
import com.rabbitmq.client.impl.FrameHandlerFactory;

/**
 * Connections whose message headers cannot take them down. The Java client refuses a header table nested more than
 * 32 tables or arrays deep as a malformed frame and closes the whole connection; the broker then gives the message
 * to the next consumer, which it takes down alike, so one such message would stop every worker on its queue (the
 * broker and Python's clients take it). Header frames are read here first: one the client would refuse has its
 * properties replaced by its content type and encoding and the header {@link #UNREADABLE}, saying why, for the
 * transport to hand the message over as unreadable, its body as it came.
 */
final class NestingGuard extends ConnectionFactory {
    /** The header of a message whose properties the client could not read, with the reason. */
    static final String UNREADABLE = "x-celeriac-unreadable-properties";
    /** The client's limit ({@code ValueReader.MAX_FIELD_VALUE_NESTING_DEPTH}). */
    private static final int MAX_DEPTH = 32;

    @Override
    protected synchronized FrameHandlerFactory createFrameHandlerFactory() throws IOException {
        FrameHandlerFactory plain = super.createFrameHandlerFactory();
        return (address, name) -> new Guarded(plain.create(address, name));
    }

    /**
     * A header frame as the client will take it: the frame itself, or, when its properties are nested deeper than
     * the client reads, a frame with the content type and encoding and {@link #UNREADABLE} alone.
     */
    static Frame checked(Frame f) throws IOException {
        if (f == null || f.getType() != AMQP.FRAME_HEADER || !mayNestTooDeep(f.getPayload())) {
            return f;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(f.getPayload()));
        in.readUnsignedShort(); // class; the properties read weight and body size themselves
        in.mark(Integer.MAX_VALUE);
        try {
            new AMQP.BasicProperties(in);
            return f;
        } catch (MalformedFrameException e) {
            in.reset();
            in.readUnsignedShort(); // weight
            long bodySize = in.readLong();
            ContentHeaderPropertyReader reader = new ContentHeaderPropertyReader(in);
            boolean type = reader.readPresence();
            boolean encoding = reader.readPresence();
            for (int i = 2; i < 14; i++) {
                reader.readPresence();
            }
            reader.finishPresence();
            AMQP.BasicProperties replaced = new AMQP.BasicProperties.Builder()
                    .contentType(type ? reader.readShortstr() : null)
                    .contentEncoding(encoding ? reader.readShortstr() : null)
                    .headers(Map.of(UNREADABLE, "message properties the client cannot read: " + e.getMessage()))
                    .build();
            return replaced.toFrame(f.getChannel(), bodySize);
        }
    }

    /** Whether the frame holds enough table and array type tags to nest past the limit: cheap, and mostly no. */
    private static boolean mayNestTooDeep(byte[] payload) {
        int tags = 0;
        for (byte b : payload) {
            if ((b == 'F' || b == 'A') && ++tags > MAX_DEPTH) {
                return true;
            }
        }
        return false;
    }

    /** The client's frame handler, its header frames {@link #checked}. */
    private record Guarded(FrameHandler plain) implements FrameHandler {
        @Override
        public Frame readFrame() throws IOException {
            return checked(plain.readFrame());
        }

        @Override
        public boolean internalHearbeat() {
            return plain.internalHearbeat();
        }

        @Override
        public void setTimeout(int timeoutMs) throws SocketException {
            plain.setTimeout(timeoutMs);
        }

        @Override
        public int getTimeout() throws SocketException {
            return plain.getTimeout();
        }

        @Override
        public void sendHeader() throws IOException {
            plain.sendHeader();
        }

        @Override
        public void initialize(AMQConnection connection) {
            plain.initialize(connection);
        }

        @Override
        public void startProcessing() {
            plain.startProcessing();
        }

        @Override
        public void finishConnectionNegotiation() {
            plain.finishConnectionNegotiation();
        }

        @Override
        public void setFrameMax(int frameMax) {
            plain.setFrameMax(frameMax);
        }

        @Override
        public void writeFrame(Frame frame) throws IOException {
            plain.writeFrame(frame);
        }

        @Override
        public void flush(WriteListener listener) throws IOException {
            plain.flush(listener);
        }

        @Override
        public void close() {
            plain.close();
        }

        @Override
        public InetAddress getLocalAddress() {
            return plain.getLocalAddress();
        }

        @Override
        public int getLocalPort() {
            return plain.getLocalPort();
        }

        @Override
        public InetAddress getAddress() {
            return plain.getAddress();
        }

        @Override
        public int getPort() {
            return plain.getPort();
        }
    }
}
