package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyFilterTest {

  @ParameterizedTest
  @ValueSource(strings = {"/v1/chat/completions", "/v1/models/acme%2Fchat", "/v1/models/acme%2fchat", "/admin/keys/",
      "/actuator/health"})
  void acceptsCanonicalPaths(String path) {
    assertThat(ApiKeyFilter.isCanonical(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v1/models", "//v1/models", "/v1//models", "/v1/./models", "/v1/../admin",
      "/v1/%2e%2e/admin", "/v1/%2E/models", "/v1;x/models", "/v1\\models", "/v1/mod els", "/v1/%252F", "/v1/.."})
  void refusesPathsThatCouldNameAnotherRoute(String path) {
    assertThat(ApiKeyFilter.isCanonical(path)).isFalse();
  }
}
