package dev.modelhost.spring.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Serves the web console, which is static files packed in the jar: {@code GET}/{@code HEAD} of
 * {@code /console/assets/<file>} answers that file, and of {@code /console} or any other path
 * under it answers the page. Everything here is public; the page reads data only through the API
 * with the key the user types in. Responses carry a strict Content-Security-Policy (scripts, styles
 * and connections from this origin only, nothing inline). Other methods and non-canonical paths go
 * on to the key filter like any request.
 */
public final class ConsoleFilter extends OncePerRequestFilter {

  public static final String PATH = "/console";
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

  private static final String RESOURCES = "dev/modelhost/spring/console/";
  private static final String ASSETS = PATH + "/assets/";
  private static final String BASE_HREF = "<base href=\"" + PATH + "/\">";
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html;charset=UTF-8",
      "js", "text/javascript;charset=UTF-8",
      "css", "text/css;charset=UTF-8",
      "svg", "image/svg+xml");

  private record Asset(byte[] body, String contentType, String etag) {}

  private final Asset page;
  private final Map<String, Asset> assets;

  private ConsoleFilter(Asset page, Map<String, Asset> assets) {
    this.page = page;
    this.assets = Map.copyOf(assets);
  }

  /** Reads the page and its assets from the class path once; they are small. */
  public static ConsoleFilter fromClassPath(ClassLoader classLoader) {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(classLoader);
    try {
      Asset page = asset("index.html", resolver.getResource("classpath:" + RESOURCES + "index.html"));
      Map<String, Asset> assets = new TreeMap<>();
      for (Resource resource : resolver.getResources("classpath:" + RESOURCES + "assets/*")) {
        String name = resource.getFilename();
        if (name != null && CONTENT_TYPES.containsKey(extension(name))) {
          assets.put(name, asset(name, resource));
        }
      }
      return new ConsoleFilter(page, assets);
    } catch (IOException e) {
      throw new UncheckedIOException("The console's files are missing from the class path", e);
    }
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String contextPath = request.getContextPath();
    String path = request.getRequestURI().substring(contextPath.length());
    boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
    if (!read || !(path.equals(PATH) || path.startsWith(PATH + "/")) || !ApiKeyFilter.isCanonical(path)) {
      chain.doFilter(request, response);
      return;
    }
    if (path.startsWith(ASSETS)) {
      Asset asset = assets.get(path.substring(ASSETS.length()));
      if (asset == null) {
        HttpErrors.write(response, StatusExceptions.unknownRoute(request.getMethod(), path));
        return;
      }
      write(request, response, asset);
    } else {
      write(request, response, contextPath.isEmpty() ? page : withContextPath(page, contextPath));
    }
  }

  private static void write(HttpServletRequest request, HttpServletResponse response, Asset asset) throws IOException {
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    // Revalidated every time, so a new jar's console is never mixed with an old cached script.
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("ETag", asset.etag());
    if (asset.etag().equals(request.getHeader("If-None-Match"))) {
      response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
      return;
    }
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(asset.contentType());
    response.setContentLength(asset.body().length);
    if (request.getMethod().equals("GET")) {
      response.getOutputStream().write(asset.body());
    }
  }

  /** The page's {@code <base>} names {@code /console/}; an application under a context path needs its own. */
  private static Asset withContextPath(Asset page, String contextPath) {
    String html = new String(page.body(), StandardCharsets.UTF_8)
        .replace(BASE_HREF, "<base href=\"" + contextPath + PATH + "/\">");
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    return new Asset(body, page.contentType(), etag(body));
  }

  private static Asset asset(String name, Resource resource) throws IOException {
    try (InputStream in = resource.getInputStream()) {
      byte[] body = in.readAllBytes();
      return new Asset(body, CONTENT_TYPES.get(extension(name)), etag(body));
    }
  }

  private static String extension(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  private static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
