package dev.modelhost.backend.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamClientTest {

  private static HttpHeaders retryAfter(String value) {
    return HttpHeaders.of(Map.of("Retry-After", List.of(value)), (k, v) -> true);
  }

  @Test
  void readsRetryAfterAsSecondsOrHttpDate() {
    assertThat(UpstreamClient.retryAfter(retryAfter("3"))).isEqualTo(Duration.ofSeconds(3));
    String inOneMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(UpstreamClient.retryAfter(retryAfter(inOneMinute)))
        .isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
    assertThat(UpstreamClient.retryAfter(retryAfter("whenever"))).isEqualTo(Duration.ofSeconds(1));
    assertThat(UpstreamClient.retryAfter(HttpHeaders.of(Map.of(), (k, v) -> true))).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void backsOffExponentiallyWithJitterUpToTheCap() {
    for (int i = 0; i < 50; i++) {
      assertThat(UpstreamClient.backoff(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
      assertThat(UpstreamClient.backoff(2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
      assertThat(UpstreamClient.backoff(30)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }
  }
}
