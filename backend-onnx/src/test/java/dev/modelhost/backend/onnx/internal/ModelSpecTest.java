package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configurations in the shape their writers give them: ONNX Runtime GenAI's model builder
 * ({@code make_genai_config}, one per decoder type, with the sizes of a published model of that
 * type), GenAI's own GPT-2 test model, and Hugging Face {@code config.json} files. Fields a writer
 * leaves out read as 0 and are taken from the graph at load.
 */
class ModelSpecTest {

  @TempDir Path temp;

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("llama (builder, Llama-3.2-1B sizes)", "genai_config.json",
            builder("llama", 2048, 32, 8, 64, 16, 128256, 131072, "[128001, 128008, 128009]", false),
            "llama layers=16 kv=8 head=64 heads=32 hidden=2048 vocab=128256 context=131072 eos=[128001, 128008, 128009]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("mistral (builder, Mistral-7B sizes)", "genai_config.json",
            builder("mistral", 4096, 32, 8, 128, 32, 32000, 32768, "2", false),
            "mistral layers=32 kv=8 head=128 heads=32 hidden=4096 vocab=32000 context=32768 eos=[2]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("phi (builder, phi-2 sizes, with position_ids)", "genai_config.json",
            builder("phi", 2560, 32, 32, 80, 32, 51200, 2048, "50256", true),
            "phi layers=32 kv=32 head=80 heads=32 hidden=2560 vocab=51200 context=2048 eos=[50256]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("phi3 (builder, Phi-3-mini sizes)", "genai_config.json",
            builder("phi3", 3072, 32, 32, 96, 32, 32064, 4096, "[32007, 32001, 32000]", false),
            "phi3 layers=32 kv=32 head=96 heads=32 hidden=3072 vocab=32064 context=4096 eos=[32007, 32001, 32000]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("qwen2 (builder, Qwen2.5-0.5B sizes)", "genai_config.json",
            builder("qwen2", 896, 14, 2, 64, 24, 151936, 32768, "[151645, 151643]", false),
            "qwen2 layers=24 kv=2 head=64 heads=14 hidden=896 vocab=151936 context=32768 eos=[151645, 151643]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("gemma (builder, gemma-2b sizes: head size is not hidden / heads)", "genai_config.json",
            builder("gemma", 2048, 8, 1, 256, 18, 256000, 8192, "1", false),
            "gemma layers=18 kv=1 head=256 heads=8 hidden=2048 vocab=256000 context=8192 eos=[1]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("gpt2 (GenAI test model: combined past_%d, no num_attention_heads)", "genai_config.json", """
            {"model": {"type": "gpt2", "pad_token_id": 98, "bos_token_id": 98, "eos_token_id": 98,
              "vocab_size": 1000, "context_length": 512,
              "decoder": {
                "session_options": {"session.use_device_allocator_for_initializers": "0", "provider_options": []},
                "run_options": {"memory.enable_memory_arena_shrinkage": ""},
                "filename": "model.onnx", "num_key_value_heads": 4, "head_size": 8, "num_hidden_layers": 5,
                "inputs": {"past_names": "past_%d"}, "outputs": {"present_names": "present_%d"}}}}
            """,
            "gpt2 layers=5 kv=4 head=8 heads=0 hidden=0 vocab=1000 context=512 eos=[98]"
                + " past=past_%d|combined present=present_%d|combined"),
        Arguments.of("genai: only the context length", "genai_config.json", """
            {"model": {"context_length": 4096, "decoder": {"filename": "model.onnx"}}}
            """,
            "unknown layers=0 kv=0 head=0 heads=0 hidden=0 vocab=0 context=4096 eos=[]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("config.json (gpt2 names: n_head, n_embd, n_layer, n_positions)", "config.json", """
            {"model_type": "gpt2", "n_head": 12, "n_embd": 768, "n_layer": 12, "n_positions": 1024,
             "vocab_size": 50257, "eos_token_id": 50256}
            """,
            "gpt2 layers=12 kv=0 head=0 heads=12 hidden=768 vocab=50257 context=1024 eos=[50256]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"),
        Arguments.of("config.json (onnx-community Qwen2.5 shape)", "config.json", """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
             "num_attention_heads": 14, "num_key_value_heads": 2, "num_hidden_layers": 24,
             "max_position_embeddings": 32768, "vocab_size": 151936, "eos_token_id": 151645,
             "transformers.js_config": {"kv_cache_dtype": {"q4f16": "float16", "fp16": "float16"}}}
            """,
            "qwen2 layers=24 kv=2 head=0 heads=14 hidden=896 vocab=151936 context=32768 eos=[151645]"
                + " past=past_key_values.%d.key|past_key_values.%d.value present=present.%d.key|present.%d.value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void readsWhatTheConfigurationGivesAndLeavesTheRestToTheGraph(String name, String file, String json, String expected)
      throws IOException {
    Path directory = Files.createDirectory(temp.resolve("model"));
    Files.writeString(directory.resolve(file), json);
    Files.writeString(directory.resolve("model.onnx"), "");
    assertThat(summary(ModelSpec.read(ModelDirectory.open(directory), null))).isEqualTo(expected);
  }

  @Test
  void aFieldOfTheWrongTypeIsNamedWithItsFileAndValue() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("model"));
    Files.writeString(directory.resolve("genai_config.json"), """
        {"model": {"context_length": 512, "decoder": {"filename": "model.onnx", "head_size": "64"}}}
        """);
    Files.writeString(directory.resolve("model.onnx"), "");
    assertThatThrownBy(() -> ModelSpec.read(ModelDirectory.open(directory), null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("genai_config.json: expected model.decoder.head_size to be a positive integer, found string \"64\".");
  }

  @Test
  void aMissingDecoderFileNamesTheFieldAndListsTheDirectory() throws IOException {
    Path directory = Files.createDirectory(temp.resolve("model"));
    Files.writeString(directory.resolve("genai_config.json"), """
        {"model": {"context_length": 512, "decoder": {"filename": "decoder.onnx"}}}
        """);
    Files.writeString(directory.resolve("model.onnx"), "");
    assertThatThrownBy(() -> ModelSpec.read(ModelDirectory.open(directory), null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Model file 'decoder.onnx' (named by genai_config.json model.decoder.filename) not found")
        .hasMessageEndingWith("Found: [genai_config.json, model.onnx].");
  }

  private static String builder(
      String type, int hidden, int heads, int kvHeads, int headSize, int layers, int vocab, int context, String eos,
      boolean positionIds) {
    return """
        {
            "model": {
                "bos_token_id": 1,
                "context_length": %d,
                "decoder": {
                    "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                    "filename": "model.onnx",
                    "head_size": %d,
                    "hidden_size": %d,
                    "inputs": {
                        "input_ids": "input_ids",
                        "attention_mask": "attention_mask",%s
                        "past_key_names": "past_key_values.%%d.key",
                        "past_value_names": "past_key_values.%%d.value"
                    },
                    "outputs": {
                        "logits": "logits",
                        "present_key_names": "present.%%d.key",
                        "present_value_names": "present.%%d.value"
                    },
                    "num_attention_heads": %d,
                    "num_hidden_layers": %d,
                    "num_key_value_heads": %d
                },
                "eos_token_id": %s,
                "pad_token_id": 0,
                "type": "%s",
                "vocab_size": %d
            },
            "search": {"do_sample": false, "max_length": %d, "num_beams": 1, "past_present_share_buffer": true,
                       "top_k": 50, "top_p": 1.0, "temperature": 1.0}
        }
        """.formatted(context, headSize, hidden, positionIds ? "\n\"position_ids\": \"position_ids\"," : "",
        heads, layers, kvHeads, eos, type, vocab, context);
  }

  private static String summary(ModelSpec spec) {
    return spec.modelType() + " layers=" + spec.layers() + " kv=" + spec.kvHeads() + " head=" + spec.headSize()
        + " heads=" + spec.attentionHeads() + " hidden=" + spec.hiddenSize() + " vocab=" + spec.vocabSize()
        + " context=" + spec.contextWindow() + " eos=" + spec.eosTokenIds()
        + " past=" + spec.pastKeyTemplate() + "|" + (spec.combinedKv() ? "combined" : spec.pastValueTemplate())
        + " present=" + spec.presentKeyTemplate() + "|" + (spec.combinedKv() ? "combined" : spec.presentValueTemplate());
  }
}
