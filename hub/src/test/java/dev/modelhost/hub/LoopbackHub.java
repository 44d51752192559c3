package dev.modelhost.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Hugging Face-shaped hub on loopback, with a second loopback host as its CDN. It speaks the
 * calls {@code snapshot_download} makes: {@code GET /api/models/{repo}/revision/{rev}} (and the
 * {@code tree/{commit}} listing newer clients use), and {@code HEAD|GET /{repo}/resolve/{commit}/{path}}. Files named like weights are "LFS" files: the
 * hub answers with a 302 to the CDN and {@code X-Linked-Etag} (their SHA-256) and
 * {@code X-Linked-Size}; the rest it serves itself with their git blob id as ETag. Faults are
 * switched on per test: a cut connection, a wrong byte, 429s, a required token, a held transfer.
 */
final class LoopbackHub implements AutoCloseable {

  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final String CDN_ADDRESS = "127.0.0.2";

  private final HttpServer hub;
  private final HttpServer cdn;
  private final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
  private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
  /** Every request as "HOST METHOD PATH [Range] [auth]", in order. */
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final Set<String> cutOnce = ConcurrentHashMap.newKeySet();
  private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger tooManyRequests = new AtomicInteger();
  private final Map<String, Long> claimedSizes = new ConcurrentHashMap<>();
  private volatile String requiredToken;
  private volatile CountDownLatch hold;

  LoopbackHub() throws IOException {
    hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // Another loopback address, so that the CDN is another host to clients that compare host names only.
    cdn = HttpServer.create(new InetSocketAddress(InetAddress.getByName(CDN_ADDRESS), 0), 0);
    hub.setExecutor(Executors.newCachedThreadPool());
    cdn.setExecutor(Executors.newCachedThreadPool());
    hub.createContext("/", this::hub);
    cdn.createContext("/", this::cdn);
    hub.start();
    cdn.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  String cdnHost() {
    return CDN_ADDRESS + ":" + cdn.getAddress().getPort();
  }

  /** Publishes a repository at {@link #COMMIT}, branch {@code main}. */
  LoopbackHub publish(String repo, Map<String, byte[]> files) {
    repos.put(repo, new TreeMap<>(files));
    return this;
  }

  /** Publishes a model folder's files. */
  LoopbackHub publish(String repo, Path folder) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(folder.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
      }
    }
    return publish(repo, files);
  }

  /** The CDN closes the connection halfway through the next transfer of {@code path}. */
  void cutOnce(String path) {
    cutOnce.add(path);
  }

  /** The CDN serves {@code path} with one byte changed. */
  void corrupt(String path) {
    corrupted.add(path);
  }

  /** The next {@code count} hub calls answer 429 with {@code Retry-After: 1}. */
  void tooManyRequests(int count) {
    tooManyRequests.set(count);
  }

  /** The hub states {@code size} bytes as the size of LFS file {@code path}. */
  void claimSize(String path, long size) {
    claimedSizes.put(path, size);
  }

  void requireToken(String token) {
    requiredToken = token;
  }

  /** CDN transfers send half their bytes, then wait until {@link #release()}. */
  void hold() {
    hold = new CountDownLatch(1);
  }

  void release() {
    CountDownLatch latch = hold;
    if (latch != null) {
      latch.countDown();
    }
  }

  long count(String prefix) {
    return requests.stream().filter(r -> r.startsWith(prefix)).count();
  }

  static String sha256(byte[] content) {
    return hex("SHA-256", null, content);
  }

  static String gitBlobId(byte[] content) {
    return hex("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII), content);
  }

  static boolean isLfs(String path) {
    return path.endsWith(".onnx") || path.endsWith(".safetensors") || path.endsWith(".onnx_data");
  }

  private void hub(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    requests.add("hub " + exchange.getRequestMethod() + " " + path + (auth != null ? " auth" : ""));
    try (exchange) {
      if (tooManyRequests.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        exchange.getResponseHeaders().add("Retry-After", "1");
        respond(exchange, 429, new byte[0]);
        return;
      }
      if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
        exchange.getResponseHeaders().add("X-Error-Code", "GatedRepo".equals(requiredToken) ? "GatedRepo" : "RepoNotFound");
        respond(exchange, 401, new byte[0]);
        return;
      }
      if (path.startsWith("/api/models/") && path.contains("/tree/")) {
        tree(exchange, path.substring("/api/models/".length()));
      } else if (path.startsWith("/api/models/")) {
        revision(exchange, path.substring("/api/models/".length()));
      } else {
        resolve(exchange, path);
      }
    }
  }

  private void revision(HttpExchange exchange, String rest) throws IOException {
    int cut = rest.indexOf("/revision/");
    Map<String, byte[]> files = cut < 0 ? null : repos.get(rest.substring(0, cut));
    if (files == null) {
      exchange.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
      respond(exchange, 404, new byte[0]);
      return;
    }
    StringBuilder json = new StringBuilder("{\"id\":\"" + rest.substring(0, cut) + "\",\"sha\":\"" + COMMIT
        + "\",\"siblings\":[");
    String separator = "";
    for (String name : files.keySet()) {
      json.append(separator).append("{\"rfilename\":\"").append(name).append("\"}");
      separator = ",";
    }
    json.append("]}");
    respond(exchange, 200, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The recursive file listing that newer {@code huggingface_hub} clients read instead of {@code siblings}. */
  private void tree(HttpExchange exchange, String rest) throws IOException {
    Map<String, byte[]> files = repos.get(rest.substring(0, rest.indexOf("/tree/")));
    if (files == null) {
      exchange.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
      respond(exchange, 404, new byte[0]);
      return;
    }
    StringBuilder json = new StringBuilder("[");
    String separator = "";
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      byte[] content = file.getValue();
      json.append(separator).append("{\"type\":\"file\",\"oid\":\"").append(gitBlobId(content))
          .append("\",\"size\":").append(content.length).append(",\"path\":\"").append(file.getKey()).append('"');
      if (isLfs(file.getKey())) {
        json.append(",\"lfs\":{\"oid\":\"").append(sha256(content)).append("\",\"size\":").append(content.length)
            .append(",\"pointerSize\":134}");
      }
      json.append('}');
      separator = ",";
    }
    json.append(']');
    respond(exchange, 200, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void resolve(HttpExchange exchange, String path) throws IOException {
    // /{org}/{name}/resolve/{commit}/{file...}
    int marker = path.indexOf("/resolve/");
    String repo = marker < 0 ? "" : path.substring(1, marker);
    Map<String, byte[]> files = repos.get(repo);
    String rest = marker < 0 ? "" : path.substring(marker + "/resolve/".length());
    int slash = rest.indexOf('/');
    String file = slash < 0 ? "" : java.net.URLDecoder.decode(rest.substring(slash + 1), StandardCharsets.UTF_8);
    byte[] content = files == null ? null : files.get(file);
    if (content == null) {
      exchange.getResponseHeaders().add("X-Error-Code", files == null ? "RepoNotFound" : "EntryNotFound");
      respond(exchange, 404, new byte[0]);
      return;
    }
    exchange.getResponseHeaders().add("X-Repo-Commit", COMMIT);
    if (isLfs(file)) {
      String sha = sha256(content);
      byte[] served = content.clone();
      if (corrupted.contains(file)) {
        served[served.length / 2] ^= 1;
      }
      cdnBlobs.put(sha, served);
      cdnBlobs.put(sha + "-path", file.getBytes(StandardCharsets.UTF_8));
      exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
      exchange.getResponseHeaders().add("X-Linked-Size", Long.toString(claimedSizes.getOrDefault(file, (long) content.length)));
      exchange.getResponseHeaders().add("ETag", "\"" + gitBlobId(content) + "\"");
      exchange.getResponseHeaders().add("Location", "http://" + cdnHost() + "/blobs/" + sha);
      exchange.sendResponseHeaders(302, -1);
      return;
    }
    exchange.getResponseHeaders().add("ETag", "\"" + gitBlobId(content) + "\"");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().add("Content-Length", Long.toString(content.length));
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    respond(exchange, 200, content);
  }

  private void cdn(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String range = exchange.getRequestHeaders().getFirst("Range");
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    requests.add("cdn " + exchange.getRequestMethod() + " " + path + (range != null ? " " + range : "")
        + (auth != null ? " auth" : ""));
    try (exchange) {
      String sha = path.substring(path.lastIndexOf('/') + 1);
      byte[] content = cdnBlobs.get(sha);
      if (content == null) {
        respond(exchange, 404, new byte[0]);
        return;
      }
      String file = new String(cdnBlobs.get(sha + "-path"), StandardCharsets.UTF_8);
      int start = 0;
      int status = 200;
      if (range != null && range.startsWith("bytes=")) {
        start = Integer.parseInt(range.substring(6, range.indexOf('-')));
        status = 206;
        exchange.getResponseHeaders().add("Content-Range",
            "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
      }
      int length = content.length - start;
      exchange.sendResponseHeaders(status, length);
      OutputStream out = exchange.getResponseBody();
      boolean cut = cutOnce.remove(file);
      CountDownLatch latch = hold;
      if (cut || latch != null) {
        out.write(content, start, length / 2);
        out.flush();
        if (cut) {
          // Closing the exchange short of Content-Length breaks the connection.
          return;
        }
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        out.write(content, start + length / 2, length - length / 2);
        return;
      }
      out.write(content, start, length);
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  private static String hex(String algorithm, byte[] prefix, byte[] content) {
    try {
      MessageDigest digest = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        digest.update(prefix);
      }
      return HexFormat.of().formatHex(digest.digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    release();
    hub.stop(0);
    cdn.stop(0);
  }
}
