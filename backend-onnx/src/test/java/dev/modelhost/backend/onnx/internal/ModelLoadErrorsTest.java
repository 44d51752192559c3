package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoadErrorsTest {

  @TempDir Path temp;

  @Test
  void aDirectoryWithoutAModelSaysWhatWasExpected() throws IOException {
    Path empty = Files.createDirectory(temp.resolve("empty"));
    assertThatThrownBy(() -> load(empty))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("No ONNX decoder model found")
        .hasMessageContaining("genai_config.json")
        .hasMessageContaining("config.json with model.onnx")
        .hasMessageContaining("Found: nothing (the directory is empty)");
  }

  @Test
  void aConfigWithoutItsGraphNamesTheMissingFile() throws IOException {
    Path model = modelCopy("no-graph");
    Files.delete(model.resolve("model.onnx"));
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Model file 'model.onnx' (named by config.json) not found")
        .hasMessageContaining("neither at the root nor in onnx/")
        .hasMessageContaining("Found: [config.json, generation_config.json]");
  }

  @Test
  void aDecoderFileNamedOutsideTheDirectoryIsRefused() throws IOException {
    Path model = Files.createDirectory(temp.resolve("escape"));
    Files.copy(DefaultModel.TINY_RANDOM.directory().resolve("model.onnx"), temp.resolve("outside.onnx"));
    Files.writeString(model.resolve("genai_config.json"), """
        {"model": {"type": "llama", "vocab_size": 2048, "context_length": 512, "eos_token_id": 2045,
          "decoder": {"filename": "../outside.onnx", "head_size": 16, "num_attention_heads": 4,
                      "num_key_value_heads": 2, "num_hidden_layers": 2}}}
        """);
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'../outside.onnx' points outside the model directory");
  }

  @Test
  void aSymbolicLinkLeadingOutOfTheDirectoryIsRefused() throws IOException {
    Path model = modelCopy("link");
    Path outside = Files.move(model.resolve("model.onnx"), temp.resolve("elsewhere.onnx"));
    Files.createSymbolicLink(model.resolve("model.onnx"), outside);
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'model.onnx' points outside the model directory");
  }

  @Test
  void externalWeightsOutsideTheDirectoryAreRefused() throws Exception {
    Path fixture = Path.of(ModelLoadErrorsTest.class.getResource("/fixtures/optimum-fp16-external").toURI());
    Path model = Files.createDirectory(temp.resolve("external"));
    for (String file : new String[] {"config.json", "generation_config.json"}) {
      Files.copy(fixture.resolve(file), model.resolve(file));
    }
    Files.copy(fixture.resolve("model.onnx.data"), temp.resolve("outside.data"));
    // Same length, so the protobuf stays valid: every initializer now points one folder up.
    String graph = new String(Files.readAllBytes(fixture.resolve("model.onnx")), StandardCharsets.ISO_8859_1);
    Files.write(model.resolve("model.onnx"),
        graph.replace("model.onnx.data", "../outside.data").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("External data path escapes model directory");
  }

  @Test
  void aGraphThatDisagreesWithItsConfigSaysWhereAndHow() throws IOException {
    Path model = modelCopy("heads");
    Path config = model.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4"));
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("'past_key_values.0.key' has 2 at axis 1 but the configuration says num_key_value_heads = 4");
  }

  @Test
  void aMissingKvInputListsTheGraphsInputs() throws IOException {
    Path model = modelCopy("layers");
    Path config = model.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected input 'past_key_values.2.key', but the graph's inputs are [");
  }

  @Test
  void aGraphInputNobodyCanFeedIsNamedWithWhatIsExpected() throws IOException {
    Path model = modelCopy("inputs");
    Path graph = model.resolve("model.onnx");
    // Same length, so the protobuf stays valid: the graph now wants an input called position_idz.
    String bytes = new String(Files.readAllBytes(graph), StandardCharsets.ISO_8859_1);
    Files.write(graph, bytes.replace("position_ids", "position_idz").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("inputs this backend does not know how to feed: [position_idz]")
        .hasMessageContaining("Expected only [past_key_values.0.key");
  }

  @Test
  void aConfigWithoutRequiredFieldsNamesThem() throws IOException {
    Path model = modelCopy("fields");
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
    assertThatThrownBy(() -> load(model))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("config.json: required field max_position_embeddings is missing");
  }

  @Test
  void unknownOptionValuesAreRejected() {
    Path model = DefaultModel.TINY_RANDOM.directory();
    assertThatThrownBy(() -> OnnxDecoder.load(ModelDirectory.open(model), new ModelSource(model.toString(), Map.of("device", "tpu"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("must be one of auto, cpu, cuda");
    assertThatThrownBy(() -> OnnxDecoder.load(ModelDirectory.open(model), new ModelSource(model.toString(), Map.of("threads", "0"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'threads' must be at least 1");
  }

  private Path modelCopy(String name) throws IOException {
    Path target = Files.createDirectory(temp.resolve(name));
    for (String file : new String[] {"config.json", "generation_config.json", "model.onnx"}) {
      Files.copy(DefaultModel.TINY_RANDOM.directory().resolve(file), target.resolve(file));
    }
    return target;
  }

  private static void load(Path directory) {
    OnnxDecoder.load(ModelDirectory.open(directory), ModelSource.of(directory.toString())).close();
  }
}
