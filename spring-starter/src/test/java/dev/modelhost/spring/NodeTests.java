package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one test file of {@code src/test/node} (the {@code openai} npm package, installed by
 * {@code npm ci} in the build) with the machine's {@code node}, and fails unless all its tests pass.
 */
final class NodeTests {

  private static final Path DIR = Path.of("src", "test", "node");

  private NodeTests() {}

  /** Runs {@code file} with {@code environment} and returns what node printed. */
  static String run(String file, Map<String, String> environment, int expectedPasses)
      throws IOException, InterruptedException {
    assertThat(DIR.resolve("node_modules").resolve("openai")).as("npm ci has installed the openai package").isDirectory();
    ProcessBuilder node = new ProcessBuilder("node", "--test", file).directory(DIR.toFile()).redirectErrorStream(true);
    node.environment().putAll(environment);
    Path log = Files.createTempFile("node-test", ".log");
    node.redirectOutput(log.toFile());
    Process process = node.start();
    // Generous: a busy machine runs the real model's answers slowly.
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    System.out.println(output);
    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("# pass " + expectedPasses).contains("# fail 0");
    return output;
  }
}
