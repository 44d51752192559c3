package dev.modelhost.samples.server.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The load generator's HTTP/1.1 client, in the manner of {@code wrk}: one kept-alive connection,
 * the request written in one piece with Nagle's algorithm off, the answer read on the calling
 * thread. Java's clients add time of their own that is not the server's (the JDK's
 * {@code HttpClient} hands every call to threads of its own, OkHttp runs timeouts on a watchdog
 * thread, {@code HttpURLConnection} writes headers and body apart); item 5 measures the server, so
 * it uses this one and reports the others beside it. Bodies are read by {@code Content-Length}
 * or chunked; a {@code Connection: close} answer makes the next call connect again.
 */
final class LoopbackHttpClient implements AutoCloseable {

  private final String host;
  private final int port;
  private final String authorization;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /** An answer: its status and body. */
  record Answer(int status, String body) {}

  LoopbackHttpClient(String host, int port, String apiKey) {
    this.host = host;
    this.port = port;
    this.authorization = "Bearer " + apiKey;
  }

  Answer get(String path) throws IOException {
    return exchange("GET", path, null);
  }

  Answer post(String path, String json) throws IOException {
    return exchange("POST", path, json.getBytes(StandardCharsets.UTF_8));
  }

  private Answer exchange(String method, String path, byte[] body) throws IOException {
    if (socket == null) {
      socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
        .append(host).append(':').append(port).append("\r\nAuthorization: ").append(authorization).append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[headBytes.length + (body == null ? 0 : body.length)];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    if (body != null) {
      System.arraycopy(body, 0, request, headBytes.length, body.length);
    }
    out.write(request);
    out.flush();
    return read();
  }

  private Answer read() throws IOException {
    String statusLine = line();
    String[] status = statusLine.split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("Not an HTTP/1.1 answer: " + statusLine);
    }
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> close = value.contains("close");
        default -> { }
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      line();
    } else if (length >= 0) {
      body.write(in.readNBytes((int) length));
    } else {
      throw new IOException("An answer without Content-Length or chunks: " + statusLine);
    }
    if (close) {
      close();
    }
    return new Answer(Integer.parseInt(status[1]), body.toString(StandardCharsets.UTF_8));
  }

  /** One line without its CRLF. */
  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("The server closed the connection");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
