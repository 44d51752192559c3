package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The beans an application may replace by type are public interfaces or public types outside {@code internal}. */
class OverridePointsTest {

  @Test
  void replaceableBeansAreNeverInternalClasses() {
    List<String> internal = new ArrayList<>();
    List<Class<?>> configurations = new ArrayList<>(List.of(ModelhostAutoConfiguration.class));
    for (int i = 0; i < configurations.size(); i++) {
      configurations.addAll(List.of(configurations.get(i).getDeclaredClasses()));
    }
    int overridable = 0;
    for (Class<?> configuration : configurations) {
      for (Method method : configuration.getDeclaredMethods()) {
        ConditionalOnMissingBean condition = method.getAnnotation(ConditionalOnMissingBean.class);
        if (method.getAnnotation(Bean.class) == null || condition == null || condition.name().length > 0) {
          continue;
        }
        overridable++;
        List<Class<?>> types = condition.value().length > 0 ? List.of(condition.value()) : List.of(method.getReturnType());
        for (Class<?> type : types) {
          if (type.getPackageName().contains(".internal")) {
            internal.add(method.getName() + " -> " + type.getName());
          }
        }
      }
    }

    assertThat(overridable).isGreaterThanOrEqualTo(5);
    assertThat(internal).isEmpty();
  }
}
