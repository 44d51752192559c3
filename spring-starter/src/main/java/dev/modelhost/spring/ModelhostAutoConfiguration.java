package dev.modelhost.spring;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelHostBuilder;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.UsageSink;
import dev.modelhost.spring.internal.AdminController;
import dev.modelhost.spring.internal.ApiKeyFilter;
import dev.modelhost.spring.internal.InMemoryApiKeys;
import dev.modelhost.spring.internal.MetricsUsageSink;
import dev.modelhost.spring.internal.OpenAiController;
import dev.modelhost.spring.internal.OpenAiErrorController;
import dev.modelhost.spring.internal.OpenAiErrorReportValve;
import dev.modelhost.spring.internal.RequestBodies;
import dev.modelhost.spring.internal.RequestIdFilter;
import dev.modelhost.spring.internal.ServicesHealthIndicator;
import dev.modelhost.spring.internal.UsageAggregator;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.catalina.core.StandardHost;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Builds a {@link ModelHost} with the services of {@code modelhost.services}, and in a servlet web
 * application serves it with OpenAI's API, API keys, the management API, health and metrics.
 * Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration",
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@EnableConfigurationProperties(ModelhostProperties.class)
public class ModelhostAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public ApiKeys modelhostApiKeys(ModelhostProperties properties) {
    ModelhostProperties.Security security = properties.getSecurity();
    boolean digestsConfigured = security.getAdminKeyDigest() != null || !security.getKeys().isEmpty();
    byte[] secret;
    if (security.getSecret() != null && !security.getSecret().isBlank()) {
      secret = security.getSecret().getBytes(StandardCharsets.UTF_8);
    } else if (digestsConfigured) {
      throw new ConfigurationException(
          "modelhost.security.secret is required when key digests are configured: digests are HMACs under it.",
          "modelhost.security.secret");
    } else {
      secret = InMemoryApiKeys.randomSecret();
    }
    InMemoryApiKeys keys = new InMemoryApiKeys(secret, Clock.systemUTC());
    if (security.getAdminKeyDigest() != null) {
      keys.registerDigest("admin", null, security.getAdminKeyDigest());
    }
    for (ModelhostProperties.Key key : security.getKeys()) {
      if (key.getOwner() == null || key.getDigest() == null) {
        throw new ConfigurationException(
            "Every entry of modelhost.security.keys needs an owner and a digest.", "modelhost.security.keys");
      }
      keys.registerDigest(key.getId(), key.getOwner(), key.getDigest());
    }
    return keys;
  }

  @Bean
  @ConditionalOnMissingBean
  public UsageAggregator modelhostUsageAggregator() {
    return new UsageAggregator();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public ModelHost modelHost(ObjectProvider<UsageSink> usageSinks, ObjectProvider<ModelhostCustomizer> customizers) {
    ModelHostBuilder builder = ModelHost.builder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    // Added after the customizers, so a customizer's own sink cannot switch off /admin/usage and metrics.
    usageSinks.orderedStream().forEach(builder::addUsageSink);
    return builder.build();
  }

  /** Deploys the services of {@code modelhost.services} once every bean exists. */
  @Bean
  @ConditionalOnMissingBean(name = "modelhostServiceDeployer")
  public SmartInitializingSingleton modelhostServiceDeployer(ModelHost host, ModelhostProperties properties,
      ObjectProvider<MetricsUsageSink> metrics) {
    return () -> {
      for (ModelhostProperties.Service service : properties.getServices()) {
        ServiceSpec spec = service.toSpec();
        host.deploy(spec);
      }
      metrics.ifAvailable(MetricsUsageSink::watchAll);
    };
  }

  @Bean
  @ConditionalOnMissingBean
  public RequestBodies modelhostRequestBodies(ModelhostProperties properties) {
    return new RequestBodies(properties.getLimits().getMaxBodySize().toBytes());
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class Metrics {

    @Bean
    @ConditionalOnMissingBean
    MetricsUsageSink modelhostMetricsUsageSink(MeterRegistry registry, ObjectProvider<ModelHost> host) {
      return new MetricsUsageSink(registry, host);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "modelhostHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("modelhost")
    ServicesHealthIndicator modelhostHealthIndicator(ModelHost host) {
      return new ServicesHealthIndicator(host);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Web {

    @Bean
    @ConditionalOnMissingBean
    OpenAiController modelhostOpenAiController(ModelHost host, RequestBodies bodies) {
      return new OpenAiController(host, bodies);
    }

    @Bean
    @ConditionalOnMissingBean
    AdminController modelhostAdminController(ModelHost host, ApiKeys keys, UsageAggregator usage,
        RequestBodies bodies, ModelhostProperties properties, ObjectProvider<MetricsUsageSink> metrics) {
      return new AdminController(host, keys, usage, bodies, properties.getPublicUrl(), metrics);
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.boot.webmvc.error.ErrorController.class)
    OpenAiErrorController modelhostErrorController(RequestBodies bodies) {
      return new OpenAiErrorController(bodies.maxBytes());
    }

    @Bean
    @ConditionalOnMissingBean(name = "modelhostRequestIdFilter")
    FilterRegistrationBean<RequestIdFilter> modelhostRequestIdFilter() {
      FilterRegistrationBean<RequestIdFilter> registration = new FilterRegistrationBean<>(new RequestIdFilter());
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return registration;
    }

    @Bean
    @ConditionalOnMissingBean(name = "modelhostApiKeyFilter")
    FilterRegistrationBean<ApiKeyFilter> modelhostApiKeyFilter(ApiKeys keys, RequestBodies bodies,
        ModelhostProperties properties) {
      FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(
          new ApiKeyFilter(keys, bodies.maxBytes(), properties.getLimits().getMaxConcurrentRequestsPerKey()));
      // Right after the request id, before anything else reads the request.
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
      return registration;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.catalina.connector.Connector")
    static class Tomcat {

      /** OpenAI's SDKs send a model id as one path segment with an encoded slash ({@code local%2Fdefault}). */
      @Bean
      @ConditionalOnMissingBean(name = "modelhostTomcatConnectorCustomizer")
      TomcatConnectorCustomizer modelhostTomcatConnectorCustomizer() {
        return connector -> connector.setEncodedSolidusHandling("passthrough");
      }

      /** Requests that Tomcat refuses before the application sees them get OpenAI error JSON too. */
      @Bean
      @ConditionalOnMissingBean(name = "modelhostTomcatErrorReport")
      TomcatContextCustomizer modelhostTomcatErrorReport() {
        return context -> {
          if (context.getParent() instanceof StandardHost host) {
            host.setErrorReportValveClass(OpenAiErrorReportValve.class.getName());
          }
        };
      }
    }
  }
}
