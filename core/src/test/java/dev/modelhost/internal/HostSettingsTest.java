package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostSettingsTest {

  private static HostSettings backoff(Duration initial, Duration max) {
    UsageSink none = record -> { };
    return new HostSettings(List.of(), List.of(), HostSettingsTest.class.getClassLoader(), none, Clock.systemUTC(),
        initial, max, 5, Duration.ofSeconds(1));
  }

  @Test
  void doublesTheRestartBackoffAfterEachFailureUpToTheMaximum() {
    HostSettings settings = backoff(Duration.ofMillis(100), Duration.ofMillis(500));

    assertThat(List.of(1, 2, 3, 4, 10).stream().map(settings::backoff).map(Duration::toMillis))
        .containsExactly(100L, 200L, 400L, 500L, 500L);
  }

  @Test
  void restartsAtOnceWhenTheBackoffIsZero() {
    assertThat(backoff(Duration.ZERO, Duration.ZERO).backoff(3)).isZero();
  }
}
