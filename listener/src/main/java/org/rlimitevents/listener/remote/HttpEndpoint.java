package org.rlimitevents.listener.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTP(S) server the listener posts to (Icinga 2's API, NRDP): connection and request
 * timeouts, and for HTTPS a trust store holding only the configured CA (pinned; the system's CAs
 * are not consulted). HttpURLConnection rather than java.net.http: it keeps no selector thread
 * that would wake an idle listener every few seconds.
 */
public final class HttpEndpoint {
    /** What the server answered. */
    public record Response(int status, String body) {
    }

    private final URI base;
    private final Path caFile;
    private final SSLSocketFactory tls;
    private final int timeoutMs;

    public HttpEndpoint(URI base, Path caFile, int timeoutSeconds) throws IOException, GeneralSecurityException {
        this.base = base;
        this.caFile = caFile;
        this.tls = caFile == null ? null : pinnedTls(caFile).getSocketFactory();
        this.timeoutMs = timeoutSeconds * 1000;
        if (!"https".equals(base.getScheme()) && !"http".equals(base.getScheme())) {
            throw new IOException(base + ": not an http or https URL");
        }
        if ("https".equals(base.getScheme()) && caFile == null) {
            throw new IOException(base + ": https needs the CA file to trust (pinned)");
        }
    }

    /** An SSL context trusting the certificates in {@code caFile} (PEM) and nothing else. */
    public static SSLContext pinnedTls(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(caFile)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, c);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no CA file " + caFile);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("may not read the CA file " + caFile);
        } catch (java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(caFile + ": not a PEM certificate (" + e.getMessage() + ")");
        }
        if (n == 0) {
            throw new GeneralSecurityException(caFile + ": no certificate");
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    public URI base() {
        return base;
    }

    /** POSTs {@code body} to {@code path} (relative to the base URL) with these headers. */
    public Response post(String path, Map<String, String> headers, byte[] body) throws IOException {
        URI uri = base.resolve(path);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        try {
            if (c instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(tls);
            }
            c.setConnectTimeout(timeoutMs);
            c.setReadTimeout(timeoutMs);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            headers.forEach(c::setRequestProperty);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            } catch (javax.net.ssl.SSLHandshakeException e) {
                throw handshake(e);
            }
            int status;
            try {
                status = c.getResponseCode();
            } catch (javax.net.ssl.SSLHandshakeException e) {
                throw handshake(e);
            }
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new Response(status, in == null ? "" : read(in));
        } finally {
            c.disconnect();
        }
    }

    /** A TLS failure, said plainly: most often the server's certificate is not from the pinned CA. */
    private IOException handshake(javax.net.ssl.SSLHandshakeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertPathBuilderException
                    || t instanceof java.security.cert.CertificateException) {
                return new IOException("the certificate of " + base.getHost() + ":" + base.getPort()
                        + " is not signed by a CA in " + caFile, e);
            }
        }
        return new IOException("TLS handshake with " + base.getHost() + ":" + base.getPort() + " failed: "
                + e.getMessage(), e);
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}
