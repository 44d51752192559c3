package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ModelhostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

class CallExamplesTest {

  private static MockHttpServletRequest requestWithHost(String host) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/admin/services/acme/chat");
    request.addHeader("Host", host);
    request.setServerName(host);
    request.setLocalAddr("10.0.0.5");
    request.setLocalPort(8080);
    return request;
  }

  @Test
  void usesTheConfiguredPublicUrl() {
    String publicUrl = CallExamples.checkedPublicUrl("https://models.example.com/");

    assertThat(CallExamples.baseUrl(publicUrl, requestWithHost("evil.example.com")))
        .isEqualTo("https://models.example.com");
  }

  @Test
  void usesTheAcceptingAddressNotTheHostHeaderWhenNoneIsConfigured() {
    assertThat(CallExamples.baseUrl(null, requestWithHost("evil.example.com"))).isEqualTo("http://10.0.0.5:8080");

    MockHttpServletRequest ipv6 = requestWithHost("evil.example.com");
    ipv6.setLocalAddr("::1");
    assertThat(CallExamples.baseUrl(null, ipv6)).isEqualTo("http://[::1]:8080");
  }

  @ParameterizedTest
  @ValueSource(strings = {"models.example.com", "ftp://models.example.com", "https://", "https://x.com/?a=b", "ht tp://x"})
  void refusesAPublicUrlThatIsNotAnHttpBaseUrl(String url) {
    assertThatThrownBy(() -> CallExamples.checkedPublicUrl(url))
        .isInstanceOf(ModelhostException.class)
        .hasMessageContaining("modelhost.public-url");
  }
}
