package dev.modelhost.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment variables of Hugging Face's own tools, read the way they read them. */
class HubSettingsTest {

  @TempDir Path home;

  @Test
  void defaultsToThePublicHubAndTheUsersCache() {
    HubSettings settings = HubSettings.fromEnvironment(Map.of(), home);

    assertThat(settings.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(settings.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
    assertThat(settings.token()).isNull();
    assertThat(settings.offline()).isFalse();
  }

  @Test
  void readsEndpointCacheOfflineTokenAndTimeout() {
    HubSettings settings = HubSettings.fromEnvironment(Map.of(
        "HF_ENDPOINT", "http://mirror.internal:8080/",
        "HF_HOME", "/data/hf",
        "HF_HUB_OFFLINE", "1",
        "HF_TOKEN", "hf_abc",
        "HF_HUB_DOWNLOAD_TIMEOUT", "2.5"), home);

    assertThat(settings.endpoint()).isEqualTo(URI.create("http://mirror.internal:8080"));
    assertThat(settings.cacheDir()).isEqualTo(Path.of("/data/hf/hub"));
    assertThat(settings.offline()).isTrue();
    assertThat(settings.token()).isEqualTo("hf_abc");
    assertThat(settings.idleTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.toString()).doesNotContain("hf_abc");
  }

  @Test
  void prefersTheHubCacheVariableAndReadsTheTokenFile() throws Exception {
    Files.createDirectories(home.resolve(".cache/huggingface"));
    Files.writeString(home.resolve(".cache/huggingface/token"), "hf_from_file\n");

    HubSettings settings = HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/models/cache",
        "XDG_CACHE_HOME", home.resolve(".cache").toString(), "HF_HUB_OFFLINE", "no"), home);

    assertThat(settings.cacheDir()).isEqualTo(Path.of("/models/cache"));
    assertThat(settings.token()).isEqualTo("hf_from_file");
    assertThat(settings.offline()).isFalse();
  }

  @Test
  void refusesSettingsThatCannotWork() {
    assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://hub"), home))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)");
    assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "soon"), home))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HF_HUB_DOWNLOAD_TIMEOUT");
  }
}
