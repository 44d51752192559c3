package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.InvalidRequestException;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {

  @Test
  void servesTheDefaultModelAsLocalDefaultOnLoopback8080WithoutArguments() {
    ServerOptions options = ServerOptions.parse(new String[0], () -> "/cache/fortune-llama");

    assertThat(options.properties())
        .containsEntry("server.port", "8080")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("modelhost.services[0].owner", "local")
        .containsEntry("modelhost.services[0].name", "default")
        .containsEntry("modelhost.services[0].backend", "onnx")
        .containsEntry("modelhost.services[0].location", "/cache/fortune-llama");
    assertThat(options.springArgs()).isEmpty();
  }

  @Test
  void takesModelServicePortAndBackendFromTheCommandLine() {
    ServerOptions options = ServerOptions.parse(
        new String[] {"--model=/models/qwen", "--service=team/qwen", "--port=9000", "--backend=djl", "--debug"},
        () -> {
          throw new AssertionError("the default model is not needed when --model is given");
        });

    assertThat(options.properties())
        .containsEntry("server.port", "9000")
        .containsEntry("modelhost.services[0].owner", "team")
        .containsEntry("modelhost.services[0].name", "qwen")
        .containsEntry("modelhost.services[0].backend", "djl")
        .containsEntry("modelhost.services[0].location", "/models/qwen");
    assertThat(options.springArgs()).containsExactly("--debug");
  }

  @Test
  void rejectsAServiceThatIsNotOwnerSlashName() {
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--service=default"}, () -> "x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("owner/name");
  }

  @Test
  void rejectsAPortThatIsNotAPortNumber() {
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--port=http"}, () -> "x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("--port");
  }

  @Test
  void servesUpstreamUrlsAsOneReplicaEachWithTheUpstreamKeyFromTheEnvironment() {
    ServerOptions options = ServerOptions.parse(
        new String[] {"--backend=remote", "--model=http://127.0.0.1:8081/v1,http://127.0.0.1:8082/v1"},
        () -> {
          throw new AssertionError("the default model is not needed for a remote service");
        });

    assertThat(options.properties())
        .containsEntry("modelhost.services[0].backend", "remote")
        .containsEntry("modelhost.services[0].location", "http://127.0.0.1:8081/v1,http://127.0.0.1:8082/v1")
        .containsEntry("modelhost.services[0].replicas", "2")
        .containsEntry("modelhost.services[0].options.api-key", "${MODELHOST_UPSTREAM_KEY:}");
  }

  @Test
  void rejectsARemoteBackendWithoutUpstreamUrls() {
    assertThatThrownBy(() -> ServerOptions.parse(new String[] {"--backend=remote"}, () -> "x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("--model=<upstream base URL");
  }
}
