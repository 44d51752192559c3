package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A bad specification is a configuration error naming the setting, with a code; not a request error. */
class ServiceSpecTest {

  private static ServiceSpec.Builder valid() {
    return ServiceSpec.builder("acme", "chat").location("/models/chat");
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of((Supplier<Object>) () -> ServiceSpec.builder("Acme", "chat").location("x").build(), "owner"),
        Arguments.of((Supplier<Object>) () -> ServiceSpec.builder("acme", "").location("x").build(), "name"),
        Arguments.of((Supplier<Object>) () -> valid().replicas(65).build(), "replicas"),
        Arguments.of((Supplier<Object>) () -> valid().queueCapacity(-1).build(), "queue_capacity"),
        Arguments.of((Supplier<Object>) () -> valid().requestTimeout(Duration.ZERO).build(), "request_timeout"),
        Arguments.of((Supplier<Object>) () -> valid().maxChoices(0).build(), "max_choices"),
        Arguments.of((Supplier<Object>) () -> ServiceSpec.builder("acme", "chat").build(), "source"),
        Arguments.of((Supplier<Object>) () -> new ModelSource("x", Map.of("threads", "four")).intOption("threads", 1),
            "options.threads"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badSpecs")
  void refusesABadSettingWithAConfigurationError(Supplier<Object> build, String setting) {
    assertThatThrownBy(build::get).isInstanceOfSatisfying(ConfigurationException.class, e -> {
      assertThat(e.param()).isEqualTo(setting);
      assertThat(e.code()).isNotNull();
    });
  }
}
