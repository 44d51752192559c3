package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar run with {@code java -jar}, as a user runs it. Maven runs this after the
 * package phase and names the jar in {@code modelhost.server.jar}.
 */
@Tag("packaged-jar")
class ServerJarTest {

  private static final Path JAR = Path.of(System.getProperty("modelhost.server.jar", "the jar is named by the build"));

  @TempDir
  Path folder;

  private record Run(int status, String out, String err) {}

  private Run run(String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("the packaged server jar").isRegularFile();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(Arrays.asList(args));
    Path out = folder.resolve("out.txt");
    Path err = folder.resolve("err.txt");
    Process process = new ProcessBuilder(command).directory(folder.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("java -jar " + String.join(" ", args) + " did not end");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsEveryFlagAndExitsWith0() throws Exception {
    Run help = run("--help");

    assertThat(help.status()).isZero();
    assertThat(help.err()).isEmpty();
    for (Flag flag : Flag.values()) {
      assertThat(help.out()).contains(flag.spelling()).contains("e.g. " + flag.example());
    }
  }

  @Test
  void versionPrintsTheBuildsVersion() throws Exception {
    Run version = run("--version");

    assertThat(version.status()).isZero();
    assertThat(version.out()).isEqualTo("modelhost-server " + System.getProperty("modelhost.server.version") + "\n");
  }

  @Test
  void aMisspeltFlagExitsWith2NamingTheClosestFlag() throws Exception {
    Run misspelt = run("--prot=9000");

    assertThat(misspelt.status()).isEqualTo(2);
    assertThat(misspelt.out()).isEmpty();
    assertThat(misspelt.err()).isEqualTo("modelhost: unknown flag --prot; did you mean --port? (see --help)\n");
  }

  @Test
  void aFailedStartPrintsOneLineAndNoLogAndExitsWith1() throws Exception {
    Path log = folder.resolve("server.log");

    Run failed = run("--port=0", "--model=" + folder.resolve("no-such-model"), "--log-file=" + log,
        "--data-dir=" + folder.resolve("data"));

    assertThat(failed.status()).isEqualTo(1);
    assertThat(failed.out()).isEmpty();
    assertThat(failed.err()).startsWith("modelhost: cannot serve local/default: ").contains("no-such-model")
        .hasLineCount(1);
    // The full story, stack trace included, is in the log file.
    assertThat(Files.readString(log)).contains("Starting ModelhostServer", "\tat ");
  }
}
