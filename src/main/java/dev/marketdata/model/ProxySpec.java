package dev.marketdata.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One entry of {@code binance.proxies}. {@link #toString()} never shows the password, so a spec can be
 * logged, put in health output or in an exception message as it is.
 */
public record ProxySpec(Type type, String host, int port, String username, String password) {

    public enum Type { DIRECT, SOCKS5, SOCKS4, HTTP }

    public static final ProxySpec DIRECT = new ProxySpec(Type.DIRECT, null, 0, null, null);

    /**
     * Parses {@code socks5://[user:pass@]host:port}, {@code socks4://host:port},
     * {@code http://[user:pass@]host:port} or {@code direct}. The message of the exception names what is
     * wrong and shows the value with its password masked.
     */
    public static ProxySpec parse(String value) {
        String text = value == null ? "" : value.trim();
        if (text.equalsIgnoreCase("direct")) {
            return DIRECT;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + mask(text) + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Type type = switch (scheme) {
            case "socks5", "socks5h", "socks" -> Type.SOCKS5;
            case "socks4", "socks4a" -> Type.SOCKS4;
            case "http" -> Type.HTTP;
            default -> throw new IllegalArgumentException("'" + mask(text)
                    + "' has scheme '" + scheme + "'; use socks5://, socks4://, http:// or direct");
        };
        if (uri.getHost() == null || uri.getPort() <= 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("'" + mask(text) + "' needs a host and a port (1-65535)");
        }
        String user = null;
        String pass = null;
        String info = uri.getRawUserInfo();
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            pass = colon < 0 ? null : decode(info.substring(colon + 1));
            if (type == Type.SOCKS4 && pass != null) {
                throw new IllegalArgumentException("'" + mask(text) + "': SOCKS4 has no password authentication");
            }
        }
        return new ProxySpec(type, uri.getHost(), uri.getPort(), user, pass);
    }

    public boolean isDirect() {
        return type == Type.DIRECT;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * Hides the password of a URL's user info: what follows the user's ':' up to the '@'. Text that is not a
     * well-formed URL (no "://", as an operator's typo may be) keeps nothing before the '@', since where its
     * password starts cannot be known.
     */
    public static String mask(String url) {
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0 || schemeEnd > at) {
            return "***" + url.substring(at);
        }
        int colon = url.indexOf(':', schemeEnd + 3);
        if (colon < 0 || colon > at) {
            return url;
        }
        return url.substring(0, colon + 1) + "***" + url.substring(at);
    }

    @Override
    public String toString() {
        if (isDirect()) {
            return "direct";
        }
        String auth = username == null ? "" : username + (password == null ? "" : ":***") + "@";
        return type.name().toLowerCase(Locale.ROOT) + "://" + auth + host + ":" + port;
    }
}
