package dev.modelhost.engine.internal.tools;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ToolFormatsTest {

  private static final Path TEMPLATES = Path.of("src/test/resources/chat-templates/templates");

  /**
   * The format detected for each template of the chat template corpus (see its SOURCES.md). Models
   * whose family writes calls in none of the formats get the default, Hermes's.
   */
  private static final Map<String, String> CORPUS = Map.ofEntries(
      entry("Apriel-1.6-15b-Thinker-fixed", "hermes"),
      entry("ByteDance-Seed-OSS", "hermes"),
      entry("CohereForAI-c4ai-command-r7b-12-2024-tool_use", "hermes"),
      entry("DeepSeek-V3.2", "hermes"),
      entry("GLM-4.6", "hermes"),
      entry("GigaChat3-10B-A1.8B", "hermes"),
      entry("Kimi-K2-Thinking", "hermes"),
      entry("Kimi-K3", "hermes"),
      entry("LFM2.5-8B-A1B", "hermes"),
      entry("MiroThinker-v1", "hermes"),
      entry("NVIDIA-Nemotron-Nano-v2", "hermes"),
      entry("StepFun3.7-Flash", "qwen3_coder"),
      entry("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", "deepseek_v3"),
      entry("deepseek-ai-DeepSeek-V3.1", "deepseek_v3"),
      entry("gemma4", "hermes"),
      entry("glm_4_5", "hermes"),
      entry("google-gemma-4-31B-it-interleaved", "hermes"),
      entry("llama-cpp-lfm2", "hermes"),
      entry("llama-cpp-microsoft-Phi-4-mini-instruct", "phi4_mini"),
      entry("mistralai-Mistral-Small-3.1-24B-Instruct-2503", "mistral"),
      entry("moonshotai-Kimi-K2-Thinking", "hermes"),
      entry("moonshotai-Kimi-K2", "hermes"),
      entry("nvidia-Llama-3_3-Nemotron-Super-49B-v1_5", "hermes"),
      entry("unsloth-Apriel-1.5", "hermes"),
      entry("unsloth-MiniMax-M2", "hermes"));

  @Test
  void everyCorpusTemplateGetsTheFormatOfTheTable() throws IOException {
    Map<String, String> detected = new TreeMap<>();
    try (Stream<Path> files = Files.list(TEMPLATES)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString().replaceFirst("\\.jinja$", "");
        detected.put(name, ToolFormats.detect(Files.readString(file), Set.of()).name());
      }
    }
    assertThat(detected).isEqualTo(new TreeMap<>(CORPUS));
  }

  @Test
  void familiesOutsideTheCorpusAreToldByTheirTemplatesMarkers() {
    assertThat(ToolFormats.detect("{{- '<tool_call>\\n{\"name\": \"' + tool_call.name + '\", \"arguments\": ' }}", Set.of()).name())
        .isEqualTo("hermes");
    assertThat(ToolFormats.detect("<tool_call>\\n<function={{ tool_call.name }}>\\n<parameter={{ name }}>", Set.of()).name())
        .isEqualTo("qwen3_coder");
    assertThat(ToolFormats.detect("<|start_header_id|>assistant<|end_header_id|>\\n\\n{{- '{\"name\": \"' + name + '\", "
        + "\"parameters\": ' }}", Set.of()).name()).isEqualTo("llama3_json");
    assertThat(ToolFormats.detect("{{- '<|python_tag|>' + tool_call.name + '.call(' }}", Set.of()).name()).isEqualTo("llama3_json");
    assertThat(ToolFormats.detect("{{- '<|tool_call|>' + message.tool_calls | tojson }}", Set.of()).name()).isEqualTo("granite");
  }

  @Test
  void specialTokensDecideWhenTheTemplateShowsNoCalls() {
    String plain = "{% for m in messages %}{{ m.content }}{% endfor %}";
    assertThat(ToolFormats.detect(plain, Set.of("<s>", "[TOOL_CALLS]")).name()).isEqualTo("mistral");
    assertThat(ToolFormats.detect(plain, Set.of("<｜tool▁calls▁begin｜>")).name()).isEqualTo("deepseek_v3");
    assertThat(ToolFormats.detect(null, Set.of("<|python_tag|>")).name()).isEqualTo("llama3_json");
    assertThat(ToolFormats.detect(null, Set.of("<|im_start|>")).name()).isEqualTo("hermes");
  }

  @Test
  void theOptionNamesAFormatOrIsRefused() {
    ModelSource source = ModelSource.of("/models/m");
    assertThat(ToolFormats.option(source)).isNull();
    assertThat(ToolFormats.option(source.withOption("tool-parser", "granite")).name()).isEqualTo("granite");
    assertThatThrownBy(() -> ToolFormats.option(source.withOption("tool-parser", "Hermes")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.param()).isEqualTo("options.tool-parser"))
        .hasMessageContaining("must be one of hermes, llama3_json, mistral, deepseek_v3, phi4_mini, granite, qwen3_coder");
  }

  @Test
  void everyFormatIsFoundByItsName() {
    for (String name : ToolFormats.names()) {
      assertThat(ToolFormats.named(name).name()).isEqualTo(name);
    }
    assertThat(ToolFormats.names()).hasSize(7).doesNotHaveDuplicates();
  }
}
