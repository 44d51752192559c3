package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderConfigTest {

  @TempDir Path dir;

  private DecoderConfig read(String json) throws IOException {
    Files.writeString(dir.resolve("config.json"), json);
    return DecoderConfig.read(ModelDirectory.open(dir));
  }

  @Test
  void readsLlamaStyleConfigWithSeveralEosIds() throws IOException {
    DecoderConfig config = read(
        "{\"model_type\": \"llama\", \"vocab_size\": 2048, \"max_position_embeddings\": 512, \"eos_token_id\": [2045, 2047]}");
    assertThat(config).isEqualTo(new DecoderConfig("llama", 2048, 512, java.util.Set.of(2045, 2047)));
  }

  @Test
  void readsGpt2StyleConfigWithOneEosId() throws IOException {
    DecoderConfig config = read("{\"model_type\": \"gpt2\", \"vocab_size\": 50257, \"n_positions\": 1024, \"eos_token_id\": 50256}");
    assertThat(config.contextWindow()).isEqualTo(1024);
    assertThat(config.eosTokenIds()).containsExactly(50256);
  }

  @Test
  void missingSizesFailToLoad() throws IOException {
    assertThatThrownBy(() -> read("{\"model_type\": \"llama\", \"vocab_size\": 10}"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("context window");
    assertThatThrownBy(() -> read("{\"vocab_size\": 10, \"max_position_embeddings\": 5}"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model_type");
  }
}
