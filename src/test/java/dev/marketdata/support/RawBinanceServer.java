package dev.marketdata.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Binance stand-in written on plain sockets, for fault injection: it can cut a connection without a close
 * frame (the client sees 1006), close it cleanly, stay silent, stop listening for a while, insist on pongs
 * to its pings, and send each frame to every open connection at once (as Binance does for two connections
 * with the same streams during a switch). RFC 6455 framing, text frames only.
 */
public final class RawBinanceServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One client connection. */
    public final class Conn {
        final Socket socket;
        final OutputStream out;
        public final String uri;
        private final java.util.Set<String> streams;
        public final long openedAt = System.currentTimeMillis();
        public volatile long closedAt;
        public volatile Integer clientCloseCode;
        volatile boolean open = true;
        volatile boolean answeredPing = true;
        final AtomicInteger pongs = new AtomicInteger();

        Conn(Socket socket, String uri) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.uri = uri;
            int at = uri.indexOf("streams=");
            this.streams = at < 0 ? java.util.Set.of() : java.util.Set.of(uri.substring(at + "streams=".length()).split("/"));
        }

        public boolean isOpen() {
            return open;
        }

        /** The streams this connection asked for in its URL. */
        public java.util.Set<String> streams() {
            return streams;
        }

        public synchronized void sendText(String text) {
            if (!open) {
                return;
            }
            try {
                writeFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                markClosed();
            }
        }

        public synchronized void sendBinary(byte[] bytes) {
            if (!open) {
                return;
            }
            try {
                writeFrame(0x2, bytes);
            } catch (IOException e) {
                markClosed();
            }
        }

        synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
            frame.write(0x80 | opcode);
            if (payload.length < 126) {
                frame.write(payload.length);
            } else if (payload.length < 65536) {
                frame.write(126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length & 0xff);
            } else {
                frame.write(127);
                for (int i = 7; i >= 0; i--) {
                    frame.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
                }
            }
            frame.write(payload);
            out.write(frame.toByteArray());
            out.flush();
        }

        /** Drops the TCP connection without a close frame: the client sees 1006. */
        public void cutAbruptly() {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // gone already
            }
            markClosed();
        }

        /** Sends a close frame with the code and waits for nothing. */
        public synchronized void closeCleanly(int code) {
            try {
                writeFrame(0x8, new byte[] { (byte) (code >>> 8), (byte) code });
            } catch (IOException ignored) {
                // gone already
            }
        }

        public int pongs() {
            return pongs.get();
        }

        void markClosed() {
            if (open) {
                open = false;
                closedAt = System.currentTimeMillis();
            }
        }
    }

    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    private final AtomicInteger pongTimeouts = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile int port;
    private volatile long pingEveryMillis;
    private volatile int maxRequestTarget = Integer.MAX_VALUE;
    private final AtomicInteger refusedTooLong = new AtomicInteger();
    private volatile boolean closed;

    public RawBinanceServer() throws IOException {
        listen(0);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "ws://127.0.0.1:" + port + "/stream";
    }

    public List<Conn> connections() {
        return List.copyOf(conns);
    }

    public List<Conn> open() {
        return conns.stream().filter(Conn::isOpen).toList();
    }

    public Conn last() {
        return conns.get(conns.size() - 1);
    }

    public int pongTimeouts() {
        return pongTimeouts.get();
    }

    /** Pings every client this often and cuts one that did not answer the previous ping. */
    public void insistOnPongs(long everyMillis) {
        this.pingEveryMillis = everyMillis;
        Thread pinger = new Thread(() -> {
            while (!closed && pingEveryMillis > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(everyMillis * 1_000_000L);
                for (Conn c : open()) {
                    if (!c.answeredPing) {
                        pongTimeouts.incrementAndGet();
                        c.cutAbruptly();
                        continue;
                    }
                    c.answeredPing = false;
                    try {
                        c.writeFrame(0x9, "binance".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        c.markClosed();
                    }
                }
            }
        }, "stand-in-pinger");
        pinger.setDaemon(true);
        pinger.start();
    }

    /** Answers 414 to a handshake whose request target (path and query) is longer than this, as servers do. */
    public void refuseRequestTargetsLongerThan(int characters) {
        this.maxRequestTarget = characters;
    }

    public int refusedTooLong() {
        return refusedTooLong.get();
    }

    /** Sends the frame to the open connections that subscribed to its stream, as Binance does. */
    public void publish(String frame) {
        int from = frame.indexOf("\"stream\":\"") + 10;
        String stream = frame.substring(from, frame.indexOf('"', from));
        for (Conn c : open()) {
            if (c.streams().contains(stream)) {
                c.sendText(frame);
            }
        }
    }

    /** Sends the frame to every open connection. */
    public void broadcast(String frame) {
        for (Conn c : open()) {
            c.sendText(frame);
        }
    }

    /** Stops listening (new connections are refused) and cuts the open ones. */
    public synchronized void refuseConnections() throws IOException {
        server.close();
        for (Conn c : open()) {
            c.cutAbruptly();
        }
    }

    /** Listens again on the same port. */
    public synchronized void acceptConnections() throws IOException {
        listen(port);
    }

    private void listen(int onPort) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        server = socket;
        port = socket.getLocalPort();
        Thread acceptor = new Thread(() -> acceptLoop(socket), "stand-in-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                client.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(client), "stand-in-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Conn conn = null;
        try {
            InputStream in = client.getInputStream();
            List<String> head = readHead(in);
            String uri = head.get(0).split(" ")[1];
            if (uri.length() > maxRequestTarget) {
                refusedTooLong.incrementAndGet();
                client.getOutputStream().write("HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String key = head.stream().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            conn = new Conn(client, uri);
            conns.add(conn);
            readFrames(conn, new DataInputStream(in));
        } catch (Exception e) {
            // the client or a test cut the connection
        } finally {
            if (conn != null) {
                conn.markClosed();
            }
            try {
                client.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    private void readFrames(Conn conn, DataInputStream in) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) len);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            int opcode = b0 & 0x0f;
            if (opcode == 0xA) {
                conn.pongs.incrementAndGet();
                conn.answeredPing = true;
            } else if (opcode == 0x8) {
                conn.clientCloseCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                try {
                    conn.writeFrame(0x8, payload.length >= 2 ? new byte[] { payload[0], payload[1] } : new byte[0]);
                } catch (IOException ignored) {
                    // the client may be gone already
                }
                conn.markClosed();
                return;
            }
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = LoopbackProxy.readHeaderLines(in);
        if (lines.isEmpty()) {
            throw new IOException("handshake cut short");
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        pingEveryMillis = 0;
        server.close();
        for (Conn c : open()) {
            c.cutAbruptly();
        }
    }
}
