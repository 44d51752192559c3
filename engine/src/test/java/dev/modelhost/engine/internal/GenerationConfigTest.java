package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {

  @TempDir Path dir;

  private GenerationConfig read(String json) throws IOException {
    Files.writeString(dir.resolve("generation_config.json"), json);
    return GenerationConfig.load(ModelDirectory.open(dir));
  }

  @Test
  void readsTheEosIdsAndSamplingDefaults() throws IOException {
    GenerationConfig config = read("{\"eos_token_id\": [2, 3], \"temperature\": 0.7, \"top_p\": 0.9, \"top_k\": 40,"
        + " \"min_p\": 0.05, \"repetition_penalty\": 1.1, \"do_sample\": true}");
    assertThat(config).isEqualTo(new GenerationConfig(Set.of(2, 3), 0.7, 0.9, 40, 0.05, 1.1));
    assertThat(read("{\"top_k\": -1, \"temperature\": null}")).isEqualTo(new GenerationConfig(Set.of(), null, null, -1, null, null));
  }

  @Test
  void badDefaultsFailTheLoadNamingTheFileAndField() {
    String[][] cases = {
        {"{\"top_p\": 0}", "top_p"},
        {"{\"top_p\": 1.5}", "top_p"},
        {"{\"temperature\": -0.5}", "temperature"},
        {"{\"top_k\": -5}", "top_k"},
        {"{\"top_k\": 2.5}", "top_k"},
        {"{\"min_p\": 2}", "min_p"},
        {"{\"repetition_penalty\": 0}", "repetition_penalty"},
        {"{\"temperature\": \"warm\"}", "temperature"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> read(c[0]))
          .as(c[0])
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("generation_config.json")
          .hasMessageContaining("'" + c[1] + "'");
    }
  }
}
