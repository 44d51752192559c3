package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.defaultmodel.DefaultModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** What a person sees when the server cannot start: one line and an exit status. */
class FailedStartTest {

  @TempDir
  Path emptyFolder;

  private record Outcome(int status, String out, String err) {}

  private static Outcome launch(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ModelhostServer.launch(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aModelThatCannotLoadEndsTheStartWithOneLineAndStatus1() {
    Outcome outcome = launch("--port=0", "--model=" + emptyFolder);

    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.err().lines()).singleElement().asString()
        .startsWith("modelhost: cannot serve local/default: ")
        .contains(emptyFolder.toString());
    assertThat(outcome.out()).doesNotContain("Modelhost is serving");
  }

  @Test
  void aPortInUseEndsTheStartWithOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Outcome outcome = launch("--port=" + taken.getLocalPort(), "--model=" + DefaultModel.TINY_RANDOM.directory());

      assertThat(outcome.status()).isEqualTo(1);
      assertThat(outcome.err()).isEqualTo(
          "modelhost: cannot serve local/default: Port " + taken.getLocalPort() + " is already in use\n");
    }
  }

  @Test
  void verboseAddsTheStackTrace() {
    Outcome outcome = launch("--port=0", "--model=" + emptyFolder, "--verbose");

    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.err()).startsWith("modelhost: cannot serve local/default: ").contains("\tat ");
  }

  @Test
  void usageErrorsExitWith2AndHelpWith0() {
    Outcome unknown = launch("--prot=9000");
    Outcome help = launch("--help");

    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err()).isEqualTo("modelhost: unknown flag --prot; did you mean --port? (see --help)\n");
    assertThat(help.status()).isZero();
    assertThat(help.out()).startsWith("Usage: ");
  }

  @Test
  void refusesServicesDeclaredBothOnTheCommandLineAndElsewhere() {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs",
        Map.of("modelhost.services[0].name", "default")));
    ModelhostServer.refuseServicesFromOtherSources(environment);

    environment.getPropertySources().addLast(new SystemEnvironmentPropertySource("systemEnvironment",
        Map.of("MODELHOST_SERVICES_0_LOCATION", "/models/x")));

    assertThatThrownBy(() -> ModelhostServer.refuseServicesFromOtherSources(environment))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("modelhost.services is also set in systemEnvironment; Spring takes the list from one");
  }
}
