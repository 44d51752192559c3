package dev.modelhost.backend.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteConfigTest {

  private static final String KEY = "sk-config-secret-987654";

  @Test
  void readsUrlsAndOptions() {
    RemoteConfig config = RemoteConfig.from(new ModelSource(
        " http://127.0.0.1:9000/v1/ , HTTPS://api.example.com/openai/v1",
        Map.of("api-key", KEY, "upstream-model", "llama", "connect-timeout", "250",
            "first-byte-timeout", "PT2M", "idle-timeout", "PT1.5S", "max-retries", "0",
            "capacity", "64", "eject-cooldown", "PT1S", "http-version", "1.1")));

    assertThat(config.baseUrls()).containsExactly(
        URI.create("http://127.0.0.1:9000/v1"), URI.create("https://api.example.com/openai/v1"));
    assertThat(config.apiKey()).isEqualTo(KEY);
    assertThat(config.upstreamModel()).isEqualTo("llama");
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.firstByteTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.maxRetries()).isZero();
    assertThat(config.capacity()).isEqualTo(64);
    assertThat(config.ejectCooldown()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.httpVersion()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void hasDefaults() {
    RemoteConfig config = RemoteConfig.from(ModelSource.of("http://localhost:8000/v1"));

    assertThat(config.apiKey()).isNull();
    assertThat(config.upstreamModel()).isNull();
    assertThat(config.capacity()).isEqualTo(16);
    assertThat(config.maxRetries()).isEqualTo(2);
    assertThat(config.httpVersion()).isNull();
    assertThat(config.httpVersionFor(URI.create("http://localhost:8000/v1"))).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(config.httpVersionFor(URI.create("https://api.example.com/v1"))).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " , ", "ftp://host/v1", "file:///etc/passwd", "http://user:pw@host/v1", "http:///v1",
      "http://host/v1?key=x", "http://host/v1#x", "http://host/v1,http://host/v1", "not a url"})
  void rejectsBadUrls(String location) {
    assertThatThrownBy(() -> RemoteConfig.from(ModelSource.of(location)))
        .isInstanceOf(ModelLoadException.class);
  }

  @Test
  void rejectsUserInformationWithoutEchoingIt() {
    assertThatThrownBy(() -> RemoteConfig.from(ModelSource.of("http://admin:hunter2@host/v1")))
        .isInstanceOf(ModelLoadException.class)
        .message().doesNotContain("hunter2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"connect-timeout=0", "idle-timeout=-PT1S", "first-byte-timeout=soon",
      "max-retries=11", "max-retries=x", "capacity=0", "http-version=3"})
  void rejectsBadOptions(String option) {
    String[] kv = option.split("=");
    assertThatThrownBy(() -> RemoteConfig.from(new ModelSource("http://host/v1", Map.of(kv[0], kv[1]))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(kv[0]);
  }

  @Test
  void neverShowsTheKey() {
    RemoteConfig config = RemoteConfig.from(new ModelSource("http://host/v1", Map.of("api-key", KEY)));

    assertThat(config.toString()).doesNotContain(KEY).contains("apiKey=***");
    assertThatThrownBy(() -> RemoteConfig.from(new ModelSource("http://host/v1", Map.of("api-key", KEY + " x"))))
        .isInstanceOf(ModelLoadException.class)
        .message().doesNotContain(KEY);
  }
}
