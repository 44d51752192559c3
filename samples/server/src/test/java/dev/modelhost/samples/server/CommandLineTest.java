package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The flag parser and how flags, the --config file and raw Spring properties combine. */
class CommandLineTest {

  private static final String DEFAULT_DIR = "/cache/fortune-llama";
  private static final String FIRST = "modelhost.services[0].";

  @TempDir
  Path folder;

  private static ServerOptions options(String... args) {
    return ServerOptions.parse(args, () -> DEFAULT_DIR);
  }

  private static ServerOptions optionsWithoutDefaultModel(String... args) {
    return ServerOptions.parse(args, () -> {
      throw new AssertionError("the default model is not needed here");
    });
  }

  @Test
  void servesTheDefaultModelAsLocalDefaultOnLoopback8080QuietlyWithoutArguments() {
    ServerOptions options = options();

    assertThat(options.properties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        FIRST + "owner", "local",
        FIRST + "name", "default",
        FIRST + "backend", "onnx",
        FIRST + "location", DEFAULT_DIR));
    assertThat(options.defaults())
        .containsEntry("server.port", "8080")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("logging.threshold.console", "OFF")
        .containsKey("logging.file.name");
    assertThat(options.services()).containsExactly("local/default");
    assertThat(options.verbose()).isFalse();
  }

  static Stream<Arguments> everyFlagAndTheProperty() {
    return Stream.of(
        Arguments.of("--model=/models/qwen", FIRST + "location", "/models/qwen"),
        Arguments.of("--service=team/qwen", FIRST + "name", "qwen"),
        Arguments.of("--service=team/qwen", FIRST + "owner", "team"),
        Arguments.of("--backend=djl", FIRST + "backend", "djl"),
        Arguments.of("--replicas=3", FIRST + "replicas", "3"),
        Arguments.of("--option=threads=4", FIRST + "options.threads", "4"),
        Arguments.of("--port=9000", "server.port", "9000"),
        Arguments.of("--port=0", "server.port", "0"),
        Arguments.of("--host=0.0.0.0", "server.address", "0.0.0.0"),
        Arguments.of("--public-url=https://llm.example.com", "modelhost.public-url", "https://llm.example.com"),
        Arguments.of("--data-dir=/var/lib/modelhost", "modelhost.store.data-dir", "/var/lib/modelhost"),
        Arguments.of("--database-url=jdbc:postgresql://db/mh", "modelhost.store.url", "jdbc:postgresql://db/mh"),
        Arguments.of("--database-url=jdbc:postgresql://db/mh", "modelhost.store.type", "jdbc"),
        Arguments.of("--no-console", "modelhost.console.enabled", "false"),
        Arguments.of("--log-file=/var/log/mh.log", "logging.file.name", "/var/log/mh.log"),
        Arguments.of("--verbose", "logging.threshold.console", "TRACE"),
        Arguments.of("--server.tomcat.threads.max=8", "server.tomcat.threads.max", "8"),
        Arguments.of("--MODELHOST_API_KEY=mh-chosen", "MODELHOST_API_KEY", "mh-chosen"));
  }

  @ParameterizedTest(name = "{0} sets {1}")
  @MethodSource("everyFlagAndTheProperty")
  void everyFlagSetsItsProperty(String arg, String property, String value) {
    assertThat(options(arg).properties()).containsEntry(property, value);
  }

  @Test
  void flagValuesMayAlsoFollowAsTheNextArgument() {
    assertThat(options("--port", "9000", "--option", "threads=4", "--model", "/m").properties())
        .containsEntry("server.port", "9000")
        .containsEntry(FIRST + "options.threads", "4")
        .containsEntry(FIRST + "location", "/m");
  }

  @Test
  void optionsRepeatAndKeepEqualsSignsInTheirValues() {
    assertThat(options("--option", "threads=4", "--option=variant=q4", "--option", "stop=a=b").properties())
        .containsEntry(FIRST + "options.threads", "4")
        .containsEntry(FIRST + "options.variant", "q4")
        .containsEntry(FIRST + "options.stop", "a=b");
  }

  @Test
  void recognisesHelpAndVersion() {
    assertThat(CommandLine.parse("-h").has(Flag.HELP)).isTrue();
    assertThat(CommandLine.parse("--help").has(Flag.HELP)).isTrue();
    assertThat(CommandLine.parse("--version").has(Flag.VERSION)).isTrue();
    assertThat(ModelhostServer.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(new String[] {"--port=http"}, "--port must be a port number (0 picks a free one), got 'http'"),
        Arguments.of(new String[] {"--port=65536"}, "--port must be a port number"),
        Arguments.of(new String[] {"--port=-1"}, "--port must be a port number"),
        Arguments.of(new String[] {"--replicas=0"}, "--replicas must be a whole number of at least 1, got '0'"),
        Arguments.of(new String[] {"--replicas", "two"}, "--replicas must be a whole number"),
        Arguments.of(new String[] {"--service=default"}, "--service must be OWNER/NAME"),
        Arguments.of(new String[] {"--service=Team/Qwen"}, "--service must be OWNER/NAME"),
        Arguments.of(new String[] {"--backend=ONNX Runtime"}, "--backend must be a backend name"),
        Arguments.of(new String[] {"--public-url=llm.example.com"}, "--public-url must be an http:// or https:// URL"),
        Arguments.of(new String[] {"--database-url=postgres://db"}, "--database-url must be a JDBC URL"),
        Arguments.of(new String[] {"--option", "threads"}, "--option needs KEY=VALUE"),
        Arguments.of(new String[] {"--option", "=4"}, "--option needs KEY=VALUE"),
        Arguments.of(new String[] {"--option", "a=1", "--option", "a=2"}, "--option a is given twice"),
        Arguments.of(new String[] {"--port=1", "--port=2"}, "--port is given twice"),
        Arguments.of(new String[] {"--verbose=yes"}, "--verbose takes no value"),
        Arguments.of(new String[] {"--model"}, "--model needs a value, e.g. --model="),
        Arguments.of(new String[] {"--model", "--port=1"}, "--model needs a value"),
        Arguments.of(new String[] {"--model="}, "--model needs a value"),
        Arguments.of(new String[] {"serve"}, "unexpected argument 'serve'; flags start with --"),
        Arguments.of(new String[] {"--server.port"}, "--server.port needs a value: --server.port=VALUE"),
        Arguments.of(new String[] {"--backend=remote"}, "--backend=remote needs --model=<upstream base URL"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void refusesBadValuesNamingTheFlag(String[] args, String message) {
    assertThatThrownBy(() -> options(args)).isInstanceOf(UsageException.class).hasMessageContaining(message);
  }

  static Stream<Arguments> unknownFlags() {
    return Stream.of(
        Arguments.of("--prot=9000", "--port"),
        Arguments.of("--modle=/m", "--model"),
        Arguments.of("--services=a/b", "--service"),
        Arguments.of("--verbos", "--verbose"),
        Arguments.of("--hepl", "--help"),
        Arguments.of("--no-consle", "--no-console"),
        Arguments.of("--replica=2", "--replicas"),
        Arguments.of("--datadir=/d", "--data-dir"),
        Arguments.of("--options=threads=4", "--option"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("unknownFlags")
  void refusesUnknownFlagsNamingTheClosestOne(String arg, String closest) {
    String name = arg.substring(0, arg.contains("=") ? arg.indexOf('=') : arg.length());
    assertThatThrownBy(() -> CommandLine.parse(arg))
        .isInstanceOf(UsageException.class)
        .hasMessage("unknown flag " + name + "; did you mean " + closest + "? (see --help)");
  }

  @Test
  void servesUpstreamUrlsAsOneReplicaEachWithTheUpstreamKeyFromTheEnvironment() {
    ServerOptions options = optionsWithoutDefaultModel(
        "--backend=remote", "--model=http://127.0.0.1:8081/v1,http://127.0.0.1:8082/v1", "--service=front/relay");

    assertThat(options.properties())
        .containsEntry(FIRST + "backend", "remote")
        .containsEntry(FIRST + "location", "http://127.0.0.1:8081/v1,http://127.0.0.1:8082/v1")
        .containsEntry(FIRST + "replicas", "2")
        .containsEntry(FIRST + "options.api-key", "${MODELHOST_UPSTREAM_KEY:}")
        .doesNotContainKey(FIRST + "options.upstream-model");
  }

  @Test
  void mergesARawServicePropertyIntoTheServiceTheFlagsBuild() {
    ServerOptions options = optionsWithoutDefaultModel("--backend=remote", "--model=http://up/v1",
        "--modelhost.services[0].options.upstream-model=local/default", "--modelhost.services[0].queue-capacity=8");

    assertThat(options.properties())
        .containsEntry(FIRST + "owner", "local")
        .containsEntry(FIRST + "name", "default")
        .containsEntry(FIRST + "backend", "remote")
        .containsEntry(FIRST + "location", "http://up/v1")
        .containsEntry(FIRST + "options.upstream-model", "local/default")
        .containsEntry(FIRST + "queue-capacity", "8");
  }

  @Test
  void aRawPropertyMayStandInForAFlagButNotSitBesideIt() {
    assertThat(optionsWithoutDefaultModel("--modelhost.services[0].location=/m").properties())
        .containsEntry(FIRST + "location", "/m");
    assertThatThrownBy(() -> options("--model=/a", "--modelhost.services[0].location=/b"))
        .isInstanceOf(UsageException.class)
        .hasMessage("--modelhost.services[0].location and --model both set the same field; give only one of them");
    // Spring's relaxed spellings name the same field.
    assertThatThrownBy(() -> options("--replicas=2", "--modelhost.services[0].Replicas=3"))
        .hasMessageContaining("and --replicas both set the same field");
    assertThatThrownBy(() -> options("--option", "threads=2", "--modelhost.services[0].options.threads=3"))
        .hasMessageContaining("and --option both set the same field");
  }

  private Path file(String name, String text) throws IOException {
    Path file = folder.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsServicesAndSettingsFromAYamlFile() throws IOException {
    Path config = file("modelhost.yml", """
        server:
          port: 9100
        modelhost:
          services:
            - owner: team
              name: qwen
              backend: djl
              location: /models/qwen
              replicas: 2
              options: { threads: 2, device: cpu }
        """);

    ServerOptions options = optionsWithoutDefaultModel("--config=" + config);

    assertThat(options.properties())
        .containsEntry("server.port", "9100")
        .containsEntry(FIRST + "owner", "team")
        .containsEntry(FIRST + "backend", "djl")
        .containsEntry(FIRST + "replicas", "2")
        .containsEntry(FIRST + "options.threads", "2");
    assertThat(options.services()).containsExactly("team/qwen");
  }

  @Test
  void flagsOverrideTheFilesOnlyServiceAndItsSettings() throws IOException {
    Path config = file("modelhost.yml", """
        server: { port: 9100 }
        modelhost:
          services:
            - { owner: team, name: qwen, backend: djl, location: /models/qwen, options: { threads: 2, device: cpu } }
        """);

    ServerOptions options = optionsWithoutDefaultModel("--config=" + config, "--port=9200", "--model=/models/other",
        "--option", "threads=8", "--service=team/other");

    assertThat(options.properties())
        .containsEntry("server.port", "9200")
        .containsEntry(FIRST + "location", "/models/other")
        .containsEntry(FIRST + "name", "other")
        .containsEntry(FIRST + "backend", "djl")
        .containsEntry(FIRST + "options.threads", "8")
        .containsEntry(FIRST + "options.device", "cpu");
    assertThat(options.properties().keySet()).filteredOn(key -> key.endsWith("port")).containsExactly("server.port");
  }

  @Test
  void refusesServiceFlagsWhenTheFileDeclaresSeveralServicesButTakesSettings() throws IOException {
    Path config = file("services.json", """
        {"modelhost": {"services": [
          {"owner": "team", "name": "a", "location": "/models/a"},
          {"owner": "team", "name": "b", "location": "/models/b"}]}}
        """);

    assertThat(optionsWithoutDefaultModel("--config=" + config, "--port=9300").services())
        .containsExactly("team/a", "team/b");
    assertThatThrownBy(() -> options("--config=" + config, "--model=/models/c"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--model cannot be used with --config=" + config + ": the file declares 2 services");
    assertThatThrownBy(() -> options("--config=" + config, "--option", "threads=2"))
        .hasMessageContaining("--option cannot be used with --config");
  }

  @Test
  void acceptsAFileWithoutTheModelhostLevel() throws IOException {
    Path config = file("short.yml", "services:\n  - { owner: a, name: b, location: /m }\npublic-url: https://x.example\n");

    assertThat(optionsWithoutDefaultModel("--config=" + config).properties())
        .containsEntry(FIRST + "owner", "a")
        .containsEntry("modelhost.public-url", "https://x.example");
  }

  @Test
  void aFileWithoutServicesLeavesTheServiceToTheFlags() throws IOException {
    Path config = file("settings.yml", "modelhost:\n  limits:\n    max-concurrent-requests-per-key: 4\n");

    assertThat(options("--config=" + config).properties())
        .containsEntry("modelhost.limits.max-concurrent-requests-per-key", "4")
        .containsEntry(FIRST + "location", DEFAULT_DIR);
  }

  @Test
  void explainsUnreadableFiles() throws IOException {
    Path broken = file("broken.yml", "modelhost: [unclosed");
    Path list = file("list.yml", "- a\n- b\n");
    Path json = file("bad.json", "{\"modelhost\": ");

    assertThatThrownBy(() -> options("--config=" + folder.resolve("missing.yml")))
        .isInstanceOf(UsageException.class).hasMessageEndingWith("missing.yml does not exist");
    assertThatThrownBy(() -> options("--config=" + broken)).hasMessageContaining("is not valid YAML");
    assertThatThrownBy(() -> options("--config=" + list)).hasMessageContaining("must hold a mapping");
    assertThatThrownBy(() -> options("--config=" + json)).hasMessageContaining("is not valid JSON");
  }

  @Test
  void helpListsEveryFlagWithAnExample() {
    String usage = Flag.usage();

    assertThat(Arrays.stream(Flag.values())).allSatisfy(flag -> {
      assertThat(usage).contains(flag.spelling());
      assertThat(usage).contains("e.g. " + flag.example());
    });
  }
}
