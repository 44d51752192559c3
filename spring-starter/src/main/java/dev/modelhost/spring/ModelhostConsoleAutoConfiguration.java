package dev.modelhost.spring;

import dev.modelhost.spring.internal.ConsoleFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * The web console at {@code /console}: static files from the jar, public like a login page, that
 * use the HTTP API with the key the user signs in with. On unless {@code modelhost.console.enabled}
 * is {@code false}.
 */
@AutoConfiguration(after = ModelhostAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "modelhost.console", name = "enabled", havingValue = "true", matchIfMissing = true)
public class ModelhostConsoleAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "modelhostConsoleFilter")
  FilterRegistrationBean<ConsoleFilter> modelhostConsoleFilter() {
    FilterRegistrationBean<ConsoleFilter> registration =
        new FilterRegistrationBean<>(ConsoleFilter.fromClassPath(getClass().getClassLoader()));
    registration.addUrlPatterns(ConsoleFilter.PATH, ConsoleFilter.PATH + "/*");
    // Ahead of the key filter: the console's files are public. Its order relative to the request-id filter does not matter.
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
