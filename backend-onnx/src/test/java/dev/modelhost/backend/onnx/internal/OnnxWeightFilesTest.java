package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which files of a hub repository the ONNX backend downloads: the ones it would load from a folder. */
class OnnxWeightFilesTest {

  private static final List<String> ONNX_COMMUNITY = List.of("README.md", "config.json", "onnx/model.onnx",
      "onnx/model_fp16.onnx", "onnx/model_fp16.onnx_data", "onnx/model_q4.onnx", "onnx/model_q4f16.onnx",
      "tokenizer.json");

  @Test
  void takesTheFullPrecisionGraphUnlessAVariantIsChosen() {
    assertThat(OnnxWeightFiles.choose(ONNX_COMMUNITY, source(Map.of()))).containsExactly("onnx/model.onnx");
    assertThat(OnnxWeightFiles.choose(ONNX_COMMUNITY, source(Map.of("variant", "q4")))).containsExactly("onnx/model_q4.onnx");
    assertThat(OnnxWeightFiles.choose(ONNX_COMMUNITY, source(Map.of("variant", "FP16"))))
        .containsExactly("onnx/model_fp16.onnx", "onnx/model_fp16.onnx_data");
  }

  @Test
  void prefersTheRootAndTakesExternalData() {
    List<String> optimum = List.of("config.json", "model.onnx", "model.onnx_data", "onnx/model.onnx", "tokenizer.json");

    assertThat(OnnxWeightFiles.choose(optimum, source(Map.of()))).containsExactly("model.onnx", "model.onnx_data");
  }

  @Test
  void takesAGenAiFoldersConfigAndGraphs() {
    List<String> genai = List.of("genai_config.json", "model.onnx", "model.onnx.data", "tokenizer.json");

    assertThat(OnnxWeightFiles.choose(genai, source(Map.of())))
        .containsExactly("genai_config.json", "model.onnx", "model.onnx.data");
  }

  @Test
  void namesWhatTheRepositoryOffersWhenNothingFits() {
    assertThatThrownBy(() -> OnnxWeightFiles.choose(ONNX_COMMUNITY, source(Map.of("variant", "int8"))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("variant=int8")
        .hasMessageContaining("fp32 (onnx/model.onnx), fp16 (onnx/model_fp16.onnx), q4 (onnx/model_q4.onnx)");
    assertThatThrownBy(() -> OnnxWeightFiles.choose(List.of("model.safetensors", "tokenizer.json"), source(Map.of())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Found: no .onnx file");
    assertThatThrownBy(() -> OnnxWeightFiles.choose(List.of("onnx/model_q4.onnx", "onnx/model_int8.onnx"), source(Map.of())))
        .hasMessageContaining("Several variants");
  }

  private static ModelSource source(Map<String, String> options) {
    return new ModelSource("hf:acme/tiny", options);
  }
}
