package org.celeriac.backend.memcached;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One connection to one memcached server, speaking its text protocol (the one pylibmc uses by default): {@code get},
 * {@code set}, {@code add}, {@code incr}, {@code delete}, {@code touch}. Not thread-safe: {@link MemcachedClient}
 * lends each to one caller at a time.
 */
final class MemcachedConnection implements Closeable {
    /** A stored value and its flags (pylibmc's type marks: 0 bytes, 4 an integer, 16 text...). */
    record Value(int flags, byte[] data) {
    }

    /** A reply memcached sent that says the command itself was wrong: the connection is still good. */
    static final class CommandRefused extends IOException {
        CommandRefused(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    MemcachedConnection(InetSocketAddress server, int connectTimeoutMillis, int socketTimeoutMillis)
            throws IOException {
        InetSocketAddress resolved = server.isUnresolved()
                ? new InetSocketAddress(server.getHostString(), server.getPort()) : server;
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(resolved, connectTimeoutMillis);
            socket.setSoTimeout(socketTimeoutMillis);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The values of those of the keys the server holds. */
    Map<String, Value> get(Collection<String> keys) throws IOException {
        StringBuilder cmd = new StringBuilder("get");
        for (String k : keys) {
            cmd.append(' ').append(checkKey(k));
        }
        writeLine(cmd.toString());
        out.flush();
        Map<String, Value> values = new LinkedHashMap<>();
        while (true) {
            String line = readLine();
            if (line.equals("END")) {
                return values;
            }
            String[] f = line.split(" ");
            if (f.length < 4 || !f[0].equals("VALUE")) {
                throw refusedOrBroken(line, "get");
            }
            byte[] data = readBlock(Integer.parseInt(f[3]));
            values.put(f[1], new Value(Integer.parseInt(f[2]), data));
        }
    }

    /**
     * {@code set} or {@code add}.
     *
     * @param exptime memcached's: seconds up to 30 days, a Unix time beyond that, 0 for never
     * @return false when {@code add} found the key there already
     */
    boolean store(String command, String key, int flags, long exptime, byte[] data) throws IOException {
        writeLine(command + ' ' + checkKey(key) + ' ' + Integer.toUnsignedString(flags) + ' ' + exptime + ' '
                + data.length);
        out.write(data);
        out.write('\r');
        out.write('\n');
        out.flush();
        String reply = readLine();
        switch (reply) {
            case "STORED":
                return true;
            case "NOT_STORED":
                return false;
            default:
                throw refusedOrBroken(reply, command);
        }
    }

    /** The new value, or empty when there is no such key; a negative delta decrements (memcached stops at 0). */
    OptionalLong incr(String key, long delta) throws IOException {
        writeLine((delta < 0 ? "decr " : "incr ") + checkKey(key) + ' ' + Math.abs(delta));
        out.flush();
        String reply = readLine();
        if (reply.equals("NOT_FOUND")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(reply.trim()));
        } catch (NumberFormatException e) {
            throw refusedOrBroken(reply, "incr");
        }
    }

    boolean delete(String key) throws IOException {
        writeLine("delete " + checkKey(key));
        out.flush();
        String reply = readLine();
        switch (reply) {
            case "DELETED":
                return true;
            case "NOT_FOUND":
                return false;
            default:
                throw refusedOrBroken(reply, "delete");
        }
    }

    boolean touch(String key, long exptime) throws IOException {
        writeLine("touch " + checkKey(key) + ' ' + exptime);
        out.flush();
        String reply = readLine();
        switch (reply) {
            case "TOUCHED":
                return true;
            case "NOT_FOUND":
                return false;
            default:
                throw refusedOrBroken(reply, "touch");
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** memcached's keys: at most 250 bytes, no spaces or control characters. */
    static String checkKey(String key) {
        if (key.isEmpty() || key.length() > 250) {
            throw new IllegalArgumentException("memcached keys are 1 to 250 characters: " + key);
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c == 0x7f || c > 0x7e) {
                throw new IllegalArgumentException("memcached keys are printable ASCII without spaces: " + key);
            }
        }
        return key;
    }

    private static IOException refusedOrBroken(String reply, String command) {
        if (reply.startsWith("CLIENT_ERROR") || reply.startsWith("SERVER_ERROR") || reply.equals("ERROR")) {
            return new CommandRefused("memcached refused " + command + ": " + reply);
        }
        return new IOException("memcached answered " + command + " with '" + reply + "'");
    }

    private void writeLine(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = b.size();
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.US_ASCII);
            }
            b.write(c);
        }
        throw new EOFException("memcached closed the connection");
    }

    private byte[] readBlock(int length) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("memcached closed the connection in the middle of a value");
        }
        return data;
    }
}
