package dev.modelhost.backend.remote;

import dev.modelhost.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * An OpenAI-compatible upstream on loopback that answers each request with the next enqueued
 * script, written on a raw socket so that tests can stall, drop or garble the answer at any byte.
 * Speaks HTTP/1.1 only (a client asking for HTTP/2 falls back to it); one request per connection.
 */
final class ScriptedUpstream implements AutoCloseable {

  /** Writes one answer. */
  @FunctionalInterface
  interface Script {
    void answer(Exchange exchange) throws IOException, InterruptedException;
  }

  /** A request as received: headers keyed in lower case. */
  record Recorded(String method, String path, Map<String, String> headers, String body, long atNanos) {}

  private final ServerSocket server;
  private final ConcurrentLinkedQueue<Script> scripts = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final List<Recorded> all = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile Script fallback = e -> e.respond(500, "application/json", "{\"error\":{\"message\":\"no script\",\"type\":\"server_error\"}}");

  ScriptedUpstream() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::acceptLoop, "scripted-upstream-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:port/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
  }

  ScriptedUpstream enqueue(Script script) {
    scripts.add(script);
    return this;
  }

  /** The answer for requests when no script is enqueued. */
  ScriptedUpstream otherwise(Script script) {
    fallback = script;
    return this;
  }

  /** The next request received, waiting for it up to 5 s. */
  Recorded takeRequest() throws InterruptedException {
    Recorded r = requests.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived");
    }
    return r;
  }

  int requestCount() {
    return all.size();
  }

  List<Recorded> requests() {
    return all;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(socket);
      Thread handler = new Thread(() -> handle(socket), "scripted-upstream-conn");
      handler.setDaemon(true);
      handler.start();
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String requestLine = readLine(in);
      if (requestLine == null) {
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      String[] parts = requestLine.split(" ");
      Recorded recorded = new Recorded(parts[0], parts[1], headers, body, System.nanoTime());
      all.add(recorded);
      requests.add(recorded);
      Script script = scripts.poll();
      (script == null ? fallback : script).answer(new Exchange(socket, recorded));
    } catch (IOException | InterruptedException e) {
      // The client went away: nothing left to answer.
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  /** The answering side of one connection. */
  static final class Exchange {
    private final Socket socket;
    private final OutputStream out;
    private final Recorded request;
    private boolean chunked;

    Exchange(Socket socket, Recorded request) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.request = request;
    }

    /** The request being answered. */
    Recorded request() {
      return request;
    }

    /** A whole answer with a length. */
    void respond(int status, String contentType, String body, String... extraHeaders) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Status\r\n");
      head.append("Content-Type: ").append(contentType).append("\r\n");
      head.append("Content-Length: ").append(bytes.length).append("\r\n");
      for (String header : extraHeaders) {
        head.append(header).append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      out.write(bytes);
      out.flush();
    }

    /** Starts a 200 event stream: chunked, or delimited by closing the connection. */
    void startStream(boolean chunked) throws IOException {
      this.chunked = chunked;
      String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
          + (chunked ? "Transfer-Encoding: chunked\r\n" : "")
          + "Connection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Writes raw stream text now. */
    void send(String text) throws IOException {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      if (chunked) {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        out.write(bytes);
      }
      out.flush();
    }

    /** Ends the stream properly. */
    void end() throws IOException {
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      socket.close();
    }

    /** Drops the connection where it stands. */
    void drop() throws IOException {
      socket.close();
    }

    /** Waits until the client closes its side; true if it did within {@code timeout}. */
    boolean awaitClientGone(Duration timeout) throws InterruptedException {
      CountDownLatch gone = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try {
          while (socket.getInputStream().read() >= 0) {
            // A client does not send after its request; anything read is ignored.
          }
        } catch (IOException e) {
          // Reset by the client: gone as well.
        }
        gone.countDown();
      });
      reader.setDaemon(true);
      reader.start();
      return gone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  // ---- Event stream pieces --------------------------------------------------------------------

  static String event(String json) {
    return "data: " + json + "\n\n";
  }

  static String chatDelta(int index, String content) {
    return event("{\"id\":\"up-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":"
        + index + ",\"delta\":{\"content\":" + quote(content) + "},\"logprobs\":null,\"finish_reason\":null}]}");
  }

  static String chatRole() {
    return event("{\"id\":\"up-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}");
  }

  static String chatFinish(int index, String reason) {
    return event("{\"id\":\"up-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":"
        + index + ",\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}");
  }

  static String usage(int prompt, int completion) {
    return event("{\"id\":\"up-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
        + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion) + "}}");
  }

  static String done() {
    return "data: [DONE]\n\n";
  }

  /** A whole successful chat stream saying {@code words}, with upstream usage. */
  static Script chatAnswer(String... words) {
    return e -> {
      e.startStream(true);
      e.send(chatRole());
      for (String word : words) {
        e.send(chatDelta(0, word));
      }
      e.send(chatFinish(0, "stop"));
      e.send(usage(7, words.length));
      e.send(done());
      e.end();
    };
  }

  /**
   * A stand-in for a model server: streams {@code word0 word1 ...} (up to 300 words) to every
   * choice, one word per event and {@code perWord} apart, honouring {@code max_tokens} /
   * {@code max_completion_tokens} and {@code n}, for chat and legacy completions, with usage (prompt
   * tokens: the prompt's words).
   */
  static Script storyModel(Duration perWord) {
    return e -> {
      JsonNode body = Json.mapper().readTree(e.request().body());
      boolean chat = e.request().path().endsWith("/chat/completions");
      int limit = body.path("max_completion_tokens").asInt(body.path("max_tokens").asInt(chat ? 300 : 16));
      int n = body.path("n").asInt(1);
      int words = Math.min(limit, 300);
      String prompt = chat ? body.path("messages").toString() : body.path("prompt").toString();
      e.startStream(true);
      for (int i = 0; i < words; i++) {
        String word = (i == 0 ? "" : " ") + "word" + i;
        for (int choice = 0; choice < n; choice++) {
          e.send(chat ? chatDelta(choice, word) : event("{\"choices\":[{\"index\":" + choice + ",\"text\":" + quote(word)
              + ",\"logprobs\":null,\"finish_reason\":null}]}"));
        }
        Thread.sleep(perWord.toMillis());
      }
      String reason = words == limit ? "length" : "stop";
      for (int choice = 0; choice < n; choice++) {
        e.send(chat ? chatFinish(choice, reason) : event("{\"choices\":[{\"index\":" + choice
            + ",\"text\":\"\",\"finish_reason\":\"" + reason + "\"}]}"));
      }
      e.send(usage(prompt.split("\\s+").length, words * n));
      e.send(done());
      e.end();
    };
  }

  static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
