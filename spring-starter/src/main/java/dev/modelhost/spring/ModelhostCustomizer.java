package dev.modelhost.spring;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelHostBuilder;

/**
 * Customizes the {@link ModelHost} the starter builds, before it is built. Beans of this type are
 * applied in {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface ModelhostCustomizer {

  void customize(ModelHostBuilder builder);
}
