package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/node} (the {@code openai} npm package, installed by {@code npm ci} in the
 * build) with the machine's {@code node} against this server.
 */
class NodeClientTest extends ServerTestBase {

  @Test
  void theOpenAiNodePackageTalksToTheServer() throws IOException, InterruptedException {
    Path dir = Path.of("src", "test", "node");
    assertThat(dir.resolve("node_modules").resolve("openai")).as("npm ci has installed the openai package").isDirectory();
    ProcessBuilder node = new ProcessBuilder("node", "--test").directory(dir.toFile()).redirectErrorStream(true);
    node.environment().put("MODELHOST_BASE_URL", baseUrl() + "/v1");
    node.environment().put("MODELHOST_API_KEY", TestServer.ACME_KEY);
    node.environment().put("MODELHOST_MODEL", "acme/chat");
    node.environment().put("MODELHOST_HIDDEN_MODEL", "other/secret");
    Path log = Files.createTempFile("node-test", ".log");
    node.redirectOutput(log.toFile());
    Process process = node.start();
    boolean finished = process.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    System.out.println(output);
    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("# pass 5").contains("# fail 0");
  }
}
