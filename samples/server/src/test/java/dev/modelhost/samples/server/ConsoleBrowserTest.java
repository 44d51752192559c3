package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.defaultmodel.DefaultModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The web console in a real browser: runs {@code src/test/browser} (Playwright, installed by
 * {@code npm ci} in the build) with the machine's {@code node}, driving Debian's headless Chromium
 * ({@code /usr/bin/chromium}, or {@code MODELHOST_CHROMIUM}) against the server program serving
 * the default model; {@code sse.test.mjs} there checks the console's event-stream parser. Screenshots
 * go to {@code target/console-screenshots}.
 */
class ConsoleBrowserTest {

  private static final String API_KEY = "mh-console-test-owner-key-0001";
  private static final String ADMIN_KEY = "mh-console-test-admin-key-0001";

  @Test
  void theConsoleWorksInChromium(@TempDir Path temp) throws IOException, InterruptedException {
    Path dir = Path.of("src", "test", "browser");
    assertThat(dir.resolve("node_modules").resolve("playwright-core")).as("npm ci has installed playwright-core")
        .isDirectory();
    String chromium = System.getenv().getOrDefault("MODELHOST_CHROMIUM", "/usr/bin/chromium");
    assertThat(Path.of(chromium)).as("Chromium is installed (apt-get install chromium)").isExecutable();
    // The default model, from a folder whose name reads well in the screenshots.
    Path model = Files.createDirectories(temp.resolve("models").resolve("fortune-llama"));
    try (Stream<Path> files = Files.list(DefaultModel.FORTUNE_LLAMA.directory())) {
      for (Path file : files.toList()) {
        Files.copy(file, model.resolve(file.getFileName()));
      }
    }
    String output;
    Process process;
    boolean finished;
    try (ConfigurableApplicationContext server = ModelhostServer.start(
        "--port=0", "--model=" + model, "--MODELHOST_API_KEY=" + API_KEY, "--MODELHOST_ADMIN_KEY=" + ADMIN_KEY)) {
      int port = ((WebServerApplicationContext) server).getWebServer().getPort();
      ProcessBuilder node = new ProcessBuilder("node", "--test")
          .directory(dir.toFile()).redirectErrorStream(true);
      node.environment().put("MODELHOST_BASE_URL", "http://127.0.0.1:" + port);
      node.environment().put("MODELHOST_API_KEY", API_KEY);
      node.environment().put("MODELHOST_ADMIN_KEY", ADMIN_KEY);
      node.environment().put("MODELHOST_MODEL_DIR", model.toString());
      node.environment().put("MODELHOST_CHROMIUM", chromium);
      node.environment().put("MODELHOST_SCREENSHOTS", Path.of("target", "console-screenshots").toAbsolutePath().toString());
      Path log = Files.createTempFile("console-test", ".log");
      node.redirectOutput(log.toFile());
      process = node.start();
      finished = process.waitFor(180, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly();
      }
      output = Files.readString(log, StandardCharsets.UTF_8);
      Files.delete(log);
    }
    System.out.println(output);
    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("# pass 12").contains("# fail 0");
  }
}
