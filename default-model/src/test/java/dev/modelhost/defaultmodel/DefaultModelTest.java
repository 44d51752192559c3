package dev.modelhost.defaultmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DefaultModelTest {

  @Test
  void materializesEveryModelFileOnceAndReusesIt() throws Exception {
    Path first = DefaultModel.TINY_RANDOM.directory();
    Path second = DefaultModel.TINY_RANDOM.directory();

    assertThat(second).isEqualTo(first);
    assertThat(first.resolve("model.onnx")).isRegularFile();
    assertThat(first.resolve("model.safetensors")).isRegularFile();
    assertThat(Files.readString(first.resolve("config.json"))).contains("\"llama\"");
    assertThat(Files.size(first.resolve("model.onnx")))
        .isEqualTo(resourceSize("tiny-random", "model.onnx"));
  }

  @Test
  void defaultModelDiffersFromTinyTwin() throws Exception {
    assertThat(DefaultModel.FORTUNE_LLAMA.directory()).isNotEqualTo(DefaultModel.TINY_RANDOM.directory());
    // Different folders alone would pass the line above; the shipped weights must differ too.
    assertThat(Files.mismatch(DefaultModel.FORTUNE_LLAMA.directory().resolve("model.safetensors"),
        DefaultModel.TINY_RANDOM.directory().resolve("model.safetensors"))).isNotEqualTo(-1L);
  }

  private static long resourceSize(String model, String file) throws Exception {
    try (var in = DefaultModel.class.getResourceAsStream("/dev/modelhost/defaultmodel/" + model + "/" + file)) {
      return in.readAllBytes().length;
    }
  }
}
