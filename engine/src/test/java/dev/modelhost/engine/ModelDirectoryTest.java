package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

  @TempDir Path temp;

  @Test
  void resolvesAndReadsFilesInside() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\"}");
    Files.createDirectories(model.resolve("onnx"));
    Files.writeString(model.resolve("onnx/model.onnx"), "x");
    ModelDirectory dir = ModelDirectory.open(model.toString());
    assertThat(dir.readJson("config.json").path("model_type").asString()).isEqualTo("llama");
    assertThat(dir.exists("onnx/model.onnx")).isTrue();
    assertThat(dir.exists("missing.json")).isFalse();
    assertThat(dir.resolve("onnx/../config.json")).isEqualTo(dir.root().resolve("config.json"));
  }

  @Test
  void refusesNamesOutsideTheFolder() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    Files.writeString(temp.resolve("secret.json"), "{}");
    ModelDirectory dir = ModelDirectory.open(model);
    for (String name : new String[] {"../secret.json", "a/../../secret.json", temp.resolve("secret.json").toString(), "", "."}) {
      assertThatThrownBy(() -> dir.resolve(name)).as(name).isInstanceOf(ModelLoadException.class);
    }
  }

  @Test
  void refusesSymbolicLinksThatLeadOut() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    Files.writeString(temp.resolve("secret.json"), "{}");
    Files.createSymbolicLink(model.resolve("link.json"), temp.resolve("secret.json"));
    Files.createSymbolicLink(model.resolve("outside"), temp);
    Files.writeString(model.resolve("real.json"), "{}");
    Files.createSymbolicLink(model.resolve("inside.json"), model.resolve("real.json"));
    ModelDirectory dir = ModelDirectory.open(model);
    assertThatThrownBy(() -> dir.readJson("link.json")).isInstanceOf(ModelLoadException.class).hasMessageContaining("outside");
    assertThatThrownBy(() -> dir.exists("outside/secret.json")).isInstanceOf(ModelLoadException.class);
    assertThatThrownBy(() -> dir.exists("outside/not-there.json")).isInstanceOf(ModelLoadException.class);
    assertThat(dir.readJson("inside.json").isObject()).isTrue();
  }

  @Test
  void followsAHubCacheSnapshotsLinksIntoItsRepositorysBlobsOnly() throws IOException {
    Path repository = temp.resolve("models--acme--tiny");
    Path blobs = Files.createDirectories(repository.resolve("blobs"));
    Path snapshot = Files.createDirectories(repository.resolve("snapshots/0123456789abcdef0123456789abcdef01234567"));
    Files.writeString(blobs.resolve("5d41402abc4b2a76b9719d911017c592"), "{\"model_type\": \"llama\"}");
    Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/5d41402abc4b2a76b9719d911017c592"));
    Files.writeString(repository.resolve("secret.json"), "{}");
    Files.createSymbolicLink(snapshot.resolve("secret.json"), Path.of("../../secret.json"));

    ModelDirectory dir = ModelDirectory.open(snapshot);

    assertThat(dir.readJson("config.json").path("model_type").asString()).isEqualTo("llama");
    assertThatThrownBy(() -> dir.readJson("secret.json")).isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("points outside the model directory");
  }

  @Test
  void failsClearlyOnMissingFolderAndBadJson() throws IOException {
    assertThatThrownBy(() -> ModelDirectory.open(temp.resolve("nope").toString()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not a directory");
    Files.writeString(temp.resolve("bad.json"), "{");
    ModelDirectory dir = ModelDirectory.open(temp);
    assertThatThrownBy(() -> dir.readJson("bad.json")).isInstanceOf(ModelLoadException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> dir.readJson("none.json")).isInstanceOf(ModelLoadException.class);
  }
}
