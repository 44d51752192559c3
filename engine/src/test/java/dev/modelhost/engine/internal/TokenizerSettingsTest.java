package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerSettingsTest {

  @TempDir Path dir;

  private TokenizerSettings read(String config) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), config);
    return TokenizerSettings.load(ModelDirectory.open(dir));
  }

  @Test
  void readsTokensAsStringsOrObjectsAndTheFlags() throws IOException {
    TokenizerSettings settings = read(
        "{\"bos_token\": {\"content\": \"<s>\", \"special\": true}, \"eos_token\": \"</s>\", \"add_bos_token\": true,"
            + " \"chat_template\": \"{{ messages }}\", \"model_max_length\": 4096}");
    assertThat(settings).isEqualTo(new TokenizerSettings("<s>", "</s>", true, null, "{{ messages }}", null, 4096));
  }

  @Test
  void keepsTheDefaultAndToolUseTemplatesOfSeveralNamedOnes() throws IOException {
    TokenizerSettings settings = read("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
        + " {\"name\": \"rag\", \"template\": \"R\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
    assertThat(settings.chatTemplate()).isEqualTo("D");
    assertThat(settings.toolUseChatTemplate()).isEqualTo("T");
    assertThat(read("{\"chat_template\": [{\"name\": \"default\", \"template\": \"D\"}]}").toolUseChatTemplate()).isNull();
    assertThatThrownBy(() -> read("{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}]}"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("default");
  }

  @Test
  void readsTheTemplateFromChatTemplateJinjaWhenTheConfigHasNone() throws IOException {
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}");
    TokenizerSettings settings = read("{\"model_max_length\": 1000000000000000019884624838656}");
    assertThat(settings.chatTemplate()).isEqualTo("{{ bos_token }}");
    assertThat(settings.modelMaxLength()).isZero();
  }

  @Test
  void chatTemplateJinjaWinsOverTheConfigsTemplateAsInTransformers() throws IOException {
    Files.writeString(dir.resolve("chat_template.jinja"), "from the file");
    assertThat(read("{\"chat_template\": \"from the config\"}").chatTemplate()).isEqualTo("from the file");
  }

  @Test
  void everyFileIsOptional() {
    TokenizerSettings settings = TokenizerSettings.load(ModelDirectory.open(dir));
    assertThat(settings).isEqualTo(new TokenizerSettings(null, null, null, null, null, null, 0));
  }
}
