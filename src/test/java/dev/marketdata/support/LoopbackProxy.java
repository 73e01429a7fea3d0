package dev.marketdata.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real proxy on loopback for tests: SOCKS5 (RFC 1928, with RFC 1929 user/password when credentials
 * are set) or HTTP CONNECT (with Basic proxy authorization when credentials are set). It records the
 * targets it tunnelled to and the authentication failures it saw, so a test can prove the gateway's
 * connection really went through it.
 */
public final class LoopbackProxy implements AutoCloseable {

    public enum Kind { SOCKS5, HTTP_CONNECT }

    private final Kind kind;
    private final String user;
    private final String password;
    private final ServerSocket server;
    private final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final AtomicInteger authFailures = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    public LoopbackProxy(Kind kind, String user, String password) throws IOException {
        this.kind = kind;
        this.user = user;
        this.password = password;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-" + kind);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The URL the gateway is given, e.g. {@code socks5://dev:secret@127.0.0.1:1080}. */
    public String url(String withUser, String withPassword) {
        String scheme = kind == Kind.SOCKS5 ? "socks5" : "http";
        String auth = withUser == null ? "" : withUser + ":" + withPassword + "@";
        return scheme + "://" + auth + "127.0.0.1:" + port();
    }

    public List<String> tunnels() {
        return List.copyOf(tunnels);
    }

    public int authFailures() {
        return authFailures.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> handle(client), "proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try {
            Socket target = kind == Kind.SOCKS5 ? socks5(client) : httpConnect(client);
            if (target == null) {
                client.close();
                return;
            }
            open.add(target);
            pump(client.getInputStream(), target.getOutputStream(), target);
            pump(target.getInputStream(), client.getOutputStream(), client);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private Socket socks5(Socket client) throws IOException {
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();
        if (in.readUnsignedByte() != 5) {
            return null;
        }
        int methods = in.readUnsignedByte();
        byte[] offered = in.readNBytes(methods);
        int wanted = user == null ? 0x00 : 0x02;
        boolean offeredWanted = false;
        for (byte b : offered) {
            offeredWanted |= (b & 0xff) == wanted;
        }
        if (!offeredWanted) {
            authFailures.incrementAndGet();
            out.write(new byte[] { 5, (byte) 0xff });
            return null;
        }
        out.write(new byte[] { 5, (byte) wanted });
        if (wanted == 0x02) {
            in.readUnsignedByte();
            String u = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            String p = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            if (!user.equals(u) || !password.equals(p)) {
                authFailures.incrementAndGet();
                out.write(new byte[] { 1, 1 });
                return null;
            }
            out.write(new byte[] { 1, 0 });
        }
        in.readUnsignedByte(); // version
        int cmd = in.readUnsignedByte();
        in.readUnsignedByte(); // reserved
        int atyp = in.readUnsignedByte();
        String host = switch (atyp) {
            case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 3 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            default -> throw new IOException("bad address type " + atyp);
        };
        int port = in.readUnsignedShort();
        if (cmd != 1) {
            out.write(new byte[] { 5, 7, 0, 1, 0, 0, 0, 0, 0, 0 });
            return null;
        }
        Socket target;
        try {
            target = new Socket(host, port);
        } catch (IOException e) {
            out.write(new byte[] { 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 });
            return null;
        }
        tunnels.add(host + ":" + port);
        out.write(new byte[] { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 });
        out.flush();
        return target;
    }

    private Socket httpConnect(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        List<String> lines = readHeaderLines(in);
        if (lines.isEmpty() || !lines.get(0).startsWith("CONNECT ")) {
            out.write("HTTP/1.1 405 Method Not Allowed\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return null;
        }
        if (user != null) {
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            boolean ok = lines.stream().anyMatch(l -> l.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)
                    && l.substring(20).trim().equals(expected));
            if (!ok) {
                authFailures.incrementAndGet();
                out.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return null;
            }
        }
        String authority = lines.get(0).split(" ")[1];
        int colon = authority.lastIndexOf(':');
        Socket target;
        try {
            target = new Socket(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
        } catch (IOException e) {
            out.write("HTTP/1.1 502 Bad Gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return null;
        }
        tunnels.add(authority);
        out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return target;
    }

    /** The request or response head, line by line, up to the blank line (read byte by byte: nothing after it is consumed). */
    static List<String> readHeaderLines(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        int prev = -1;
        while ((b = in.read()) != -1) {
            if (b == '\n' && prev == '\r') {
                byte[] bytes = line.toByteArray();
                String text = new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
            prev = b;
        }
        return lines;
    }

    private static void pump(InputStream from, OutputStream to, Socket closeWhenDone) {
        Thread t = new Thread(() -> {
            try {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the other side went away
            } finally {
                closeQuietly(closeWhenDone);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(LoopbackProxy::closeQuietly);
    }
}
