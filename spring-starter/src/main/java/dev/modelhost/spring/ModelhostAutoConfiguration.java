package dev.modelhost.spring;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelHostBuilder;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.UsageSink;
import dev.modelhost.spring.internal.AdminController;
import dev.modelhost.spring.internal.ApiKeyFilter;
import dev.modelhost.spring.internal.LedgerHealthIndicator;
import dev.modelhost.spring.internal.LedgerMetrics;
import dev.modelhost.spring.internal.LedgerWriter;
import dev.modelhost.spring.internal.UsageJournal;
import dev.modelhost.spring.internal.MetricsUsageSink;
import dev.modelhost.spring.internal.OpenAiController;
import dev.modelhost.spring.internal.OpenAiErrorController;
import dev.modelhost.spring.internal.OpenAiErrorReportValve;
import dev.modelhost.spring.internal.RequestBodies;
import dev.modelhost.spring.internal.RequestIdFilter;
import dev.modelhost.spring.internal.ServicesHealthIndicator;
import dev.modelhost.spring.internal.QuotaGate;
import dev.modelhost.spring.internal.RequestAdmission;
import dev.modelhost.spring.internal.ServiceCatalog;
import dev.modelhost.spring.internal.StoredApiKeys;
import dev.modelhost.spring.internal.store.InMemoryApiKeyStore;
import dev.modelhost.spring.internal.store.InMemoryServiceStore;
import dev.modelhost.spring.internal.store.InMemoryUsageLedger;
import dev.modelhost.spring.internal.store.JdbcStore;
import dev.modelhost.spring.store.ApiKeyStore;
import dev.modelhost.spring.store.ServiceStore;
import dev.modelhost.spring.store.UsageLedger;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
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
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Builds a {@link ModelHost} with the services of {@code modelhost.services}, and in a servlet web
 * application serves it with OpenAI's API, API keys, the management API, health and metrics.
 * The override points are public interfaces ({@link ModelHost}, {@link ApiKeys}, the stores of
 * {@code dev.modelhost.spring.store}) and named beans: an application bean of that type or name
 * replaces the starter's. The starter's internal classes are not override points.
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

  /** The JDBC store, when {@code modelhost.store.type} is {@code jdbc} (or a URL or data directory is set). */
  @Configuration(proxyBeanMethods = false)
  @Conditional(JdbcStoreCondition.class)
  static class Jdbc {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(name = "modelhostDataSource")
    HikariDataSource modelhostDataSource(ModelhostProperties properties, Environment environment) {
      ModelhostProperties.Store store = properties.getStore();
      HikariConfig config = new HikariConfig();
      String url = store.getUrl();
      if (url == null || url.isBlank()) {
        Path dir = store.dataDirectory();
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new ConfigurationException("Cannot create the data directory " + dir + ": " + e.getMessage(),
              "modelhost.store.data-dir");
        }
        // Every commit reaches the file at once (a killed process loses no committed record), and the
        // database stays open until the pool closes, after the last usage records are written.
        url = "jdbc:h2:file:" + dir.resolve("modelhost") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
      }
      config.setJdbcUrl(url);
      String username = store.getUsername() != null ? store.getUsername() : environment.getProperty("MODELHOST_DATABASE_USER");
      String password = store.getPassword() != null ? store.getPassword() : environment.getProperty("MODELHOST_DATABASE_PASSWORD");
      if (username != null && !username.isBlank()) {
        config.setUsername(username);
      }
      if (password != null && !password.isBlank()) {
        config.setPassword(password);
      }
      config.setPoolName("modelhost-store");
      config.setMaximumPoolSize(8);
      // The schema is migrated at start, so the database must answer then; later outages are
      // buffered by the ledger writer, and a write waits at most this long for a connection.
      config.setConnectionTimeout(2_000);
      return new HikariDataSource(config);
    }

    @Bean
    JdbcStore modelhostJdbcStore(@Qualifier("modelhostDataSource") DataSource dataSource) {
      return new JdbcStore(dataSource);
    }

    @Bean
    @ConditionalOnMissingBean
    ServiceStore modelhostServiceStore(JdbcStore store) {
      return store.services();
    }

    @Bean
    @ConditionalOnMissingBean
    ApiKeyStore modelhostApiKeyStore(JdbcStore store) {
      return store.keys();
    }

    @Bean
    @ConditionalOnMissingBean
    UsageLedger modelhostUsageLedger(JdbcStore store) {
      return store.ledger();
    }
  }

  @Bean
  @ConditionalOnMissingBean
  public ServiceStore modelhostServiceStore() {
    return new InMemoryServiceStore();
  }

  @Bean
  @ConditionalOnMissingBean
  public ApiKeyStore modelhostApiKeyStore() {
    return new InMemoryApiKeyStore();
  }

  @Bean
  @ConditionalOnMissingBean
  public UsageLedger modelhostUsageLedger() {
    return new InMemoryUsageLedger();
  }

  @Bean
  @ConditionalOnMissingBean
  public ApiKeys modelhostApiKeys(ModelhostProperties properties, ApiKeyStore store) {
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
      // Kept with the keys, so keys made at runtime work after a restart on a durable store.
      secret = store.secret(StoredApiKeys::randomSecret);
    }
    StoredApiKeys keys = new StoredApiKeys(secret, store, Clock.systemUTC());
    keys.startRefreshing(properties.getStore().getKeyRefreshInterval());
    return keys;
  }

  /** Registers the keys of {@code modelhost.security} with whatever {@link ApiKeys} bean there is. */
  @Bean
  @ConditionalOnMissingBean(name = "modelhostConfiguredKeys")
  public SmartInitializingSingleton modelhostConfiguredKeys(ApiKeys keys, ModelhostProperties properties) {
    return () -> {
      ModelhostProperties.Security security = properties.getSecurity();
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
    };
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public ModelHost modelHost(ObjectProvider<UsageSink> usageSinks, ObjectProvider<ModelhostCustomizer> customizers) {
    ModelHostBuilder builder = ModelHost.builder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    // Added after the customizers, so a customizer's own sink cannot switch off the ledger and metrics.
    usageSinks.orderedStream().forEach(builder::addUsageSink);
    return builder.build();
  }

  @Bean
  ServiceCatalog modelhostServiceCatalog(ModelHost host, ServiceStore store) {
    return new ServiceCatalog(host, store, Clock.systemUTC());
  }

  @Bean(destroyMethod = "close")
  LedgerWriter modelhostLedgerWriter(UsageLedger ledger, ObjectProvider<ServiceCatalog> catalog,
      ModelhostProperties properties) {
    ModelhostProperties.Store store = properties.getStore();
    Path journalDir = store.journalDirectory();
    // The segment size bounds what one file holds while the database is behind; 4 MiB is about 12,000 records.
    UsageJournal journal = journalDir == null ? null : UsageJournal.open(journalDir, 4L << 20);
    return new LedgerWriter(ledger, accessPath -> catalog.getObject().booking(accessPath),
        store.getLedgerBufferCapacity(), store.getLedgerBatchSize(), store.getLedgerCloseTimeout(), journal,
        LedgerWriter.DEFAULT_LINGER);
  }

  @Bean
  QuotaGate modelhostQuotaGate(UsageLedger ledger, LedgerWriter writer) {
    QuotaGate gate = new QuotaGate(ledger, Clock.systemUTC());
    writer.addListener(gate::onRecord);
    return gate;
  }

  /**
   * Shuts down in the order billing needs: the host first (requests in flight end and write their
   * usage records), then the ledger writer (which writes what is queued).
   */
  @Bean
  @ConditionalOnMissingBean(name = "modelhostOrderlyShutdown")
  DisposableBean modelhostOrderlyShutdown(ModelHost host, LedgerWriter writer) {
    return () -> {
      host.close();
      writer.close();
    };
  }

  /** Brings back the recorded services and deploys those of {@code modelhost.services} once every bean exists. */
  @Bean
  @ConditionalOnMissingBean(name = "modelhostServiceDeployer")
  SmartInitializingSingleton modelhostServiceDeployer(ServiceCatalog catalog, ModelhostProperties properties,
      ObjectProvider<MetricsUsageSink> metrics) {
    return () -> {
      catalog.restore(properties.getServices().stream().map(ModelhostProperties.Service::toSpec).toList());
      metrics.ifAvailable(MetricsUsageSink::watchAll);
    };
  }

  @Bean
  RequestBodies modelhostRequestBodies(ModelhostProperties properties) {
    return new RequestBodies(properties.getLimits().getMaxBodySize().toBytes());
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class Metrics {

    @Bean
    MetricsUsageSink modelhostMetricsUsageSink(MeterRegistry registry, ObjectProvider<ModelHost> host) {
      return new MetricsUsageSink(registry, host);
    }

    @Bean
    @ConditionalOnMissingBean(name = "modelhostLedgerMetrics")
    SmartInitializingSingleton modelhostLedgerMetrics(MeterRegistry registry, LedgerWriter writer) {
      return () -> LedgerMetrics.register(registry, writer);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "modelhostHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("modelhost")
    HealthIndicator modelhostHealthIndicator(ModelHost host) {
      return new ServicesHealthIndicator(host);
    }

    @Bean
    @ConditionalOnMissingBean(name = "modelhostLedgerHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("modelhost-ledger")
    HealthIndicator modelhostLedgerHealthIndicator(LedgerWriter writer, ModelhostProperties properties) {
      return new LedgerHealthIndicator(writer, properties.getStore().getLedgerBufferCapacity());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class Web {

    @Bean
    OpenAiController modelhostOpenAiController(ModelHost host, RequestBodies bodies, LedgerWriter writer,
        QuotaGate quotas, ServiceCatalog catalog, ApiKeys keys, ModelhostProperties properties) {
      return new OpenAiController(host, bodies, new RequestAdmission(writer, quotas, catalog, keys, Clock.systemUTC(),
          properties.getLimits().getDefaultMaxTokensReservation(), properties.getStore().getLedgerAckTimeout()));
    }

    @Bean
    AdminController modelhostAdminController(ModelHost host, ServiceCatalog catalog, ApiKeys keys, UsageLedger ledger,
        LedgerWriter writer,
        RequestBodies bodies, ModelhostProperties properties, ObjectProvider<MetricsUsageSink> metrics) {
      return new AdminController(host, catalog, keys, ledger, writer, bodies, properties.getPublicUrl(), metrics);
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
