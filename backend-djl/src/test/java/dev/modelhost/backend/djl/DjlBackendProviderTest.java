package dev.modelhost.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.backend.djl.internal.ReferenceCases;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DjlBackendProviderTest {

  private static final Path TINY_RANDOM = DefaultModel.TINY_RANDOM.directory();

  @Test
  void isFoundByNameWithServiceLoader() {
    assertThat(ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get))
        .filteredOn(provider -> provider.name().equals("djl"))
        .singleElement()
        .isInstanceOf(DjlBackendProvider.class);
  }

  @ParameterizedTest
  @EnumSource(DefaultModel.class)
  void shippedModelsMatchTheReferenceImplementation(DefaultModel model) {
    Path dir = model.directory();
    try (Decoder decoder = new DjlBackendProvider().loadDecoder(ModelDirectory.open(dir), ModelSource.of(dir.toString()))) {
      ReferenceCases.assertDecoderMatches(
          decoder, ReferenceCases.fixture("shipped").resolve(model.modelName() + "-expected.json"));
    }
  }

  @Test
  void reportsTheKvBytesOfATokenFromItsConfig() {
    Path dir = DefaultModel.FORTUNE_LLAMA.directory();
    try (Decoder decoder = new DjlBackendProvider().loadDecoder(ModelDirectory.open(dir), ModelSource.of(dir.toString()))) {
      // 4 layers × 2 KV heads × head size 32 × key and value × 4 bytes (float32), as the ONNX graph has it.
      assertThat(decoder.kvBytesPerToken()).isEqualTo(4 * 2 * 32 * 2 * 4);
    }
  }

  @Test
  void describesTheLoadedModel() {
    try (ModelRuntime runtime = new DjlBackendProvider().load(ModelSource.of(TINY_RANDOM.toString()))) {
      assertThat(runtime.descriptor().modelType()).isEqualTo("llama");
      assertThat(runtime.descriptor().contextWindow()).isEqualTo(512);
    }
  }

  @Test
  void refusesAServiceWithAnOptionTheBackendDoesNotRead() {
    try (ModelHost host = ModelHost.builder().build()) {
      ServiceSpec spec = ServiceSpec.builder("acme", "tiny").backend("djl")
          .source(new ModelSource(TINY_RANDOM.toString(), Map.of("variant", "q4"))).build();

      assertThatThrownBy(() -> host.deploy(spec))
          .isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.param()).isEqualTo("options.variant");
            assertThat(e.code()).isEqualTo("unknown_parameter");
          })
          .hasMessage("The djl backend has no option 'variant'. Its options: device, kv-cache-tokens, max-batch, prefill-chunk, threads, tool-parser.");
      assertThat(host.services()).isEmpty();
    }
  }

  @Test
  void rejectsAnUnknownDeviceOption() {
    ModelSource source = ModelSource.of(TINY_RANDOM.toString()).withOption("device", "tpu");
    assertThatThrownBy(() -> new DjlBackendProvider().load(source))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'device'");
  }

  @Test
  void refusesAGpuThatIsNotThere() {
    ModelSource source = ModelSource.of(TINY_RANDOM.toString()).withOption("device", "gpu:7");
    assertThatThrownBy(() -> new DjlBackendProvider().load(source))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("GPU 7");
  }

  @Test
  void rejectsAnUnsupportedArchitectureWithTheModelType(@TempDir Path dir) throws IOException {
    for (String file : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json", "model.safetensors")) {
      Files.copy(TINY_RANDOM.resolve(file), dir.resolve(file));
    }
    Files.writeString(dir.resolve("config.json"), Files.readString(TINY_RANDOM.resolve("config.json"))
        .replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
    assertThatThrownBy(() -> new DjlBackendProvider().load(ModelSource.of(dir.toString())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model_type 'gpt2'");
  }
}
