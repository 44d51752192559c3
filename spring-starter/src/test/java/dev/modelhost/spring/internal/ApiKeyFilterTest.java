package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  @ParameterizedTest
  @ValueSource(strings = {"owner=acme", "owner=%C3%A9t%C3%A9", "a=%2F&b=x+y", "q=%e2%82%ac"})
  void acceptsWellEncodedQueries(String query) {
    assertThat(ApiKeyFilter.isWellEncodedQuery(query)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"owner=%ff", "owner=%zz", "owner=%", "owner=%4", "q=%e2%82", "q=%c0%af", "q=\u00e9"})
  void refusesBrokenPercentEscapes(String query) {
    assertThat(ApiKeyFilter.isWellEncodedQuery(query)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"Bearer mh-key|mh-key", "bearer mh-key|mh-key", "BEARER \t  mh-key|mh-key",
      "Bearer mh key|mh key"})
  void readsTheKeyOfBearerAuthAsTheRegularExpressionDid(String header, String key) {
    assertThat(ApiKeyFilter.bearerCredentials(header)).isEqualTo(key)
        .isEqualTo(header.trim().split("\\s+", 2)[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer", "Bearermh-key", "Basic mh-key", "Token mh-key", "Bear mh-key", "mh-key"})
  void refusesOtherSchemesAndAMissingKey(String header) {
    assertThat(ApiKeyFilter.bearerCredentials(header)).isNull();
  }
}
