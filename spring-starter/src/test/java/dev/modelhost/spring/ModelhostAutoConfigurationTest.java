package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.spi.UsageSink;
import dev.modelhost.spring.internal.LedgerWriter;
import dev.modelhost.spring.internal.StoredApiKeys;
import dev.modelhost.spring.internal.store.InMemoryApiKeyStore;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageQuery;
import dev.modelhost.spring.internal.OpenAiController;
import dev.modelhost.testing.RecordingUsageSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ModelhostAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ModelhostAutoConfiguration.class))
      .withBean(ModelhostCustomizer.class, () -> builder -> builder.backend(new ScriptedBackend()));

  private static final String[] SERVICE = {
    "modelhost.services[0].owner=acme",
    "modelhost.services[0].name=chat",
    "modelhost.services[0].backend=scripted",
    "modelhost.services[0].location=scripted-model",
  };

  private static ChatCompletionRequest hello(String model) {
    return ChatCompletionRequest.builder(model).addMessage(ChatMessage.user("Hello")).build();
  }

  @Test
  void bindsServicesFromPropertiesAndDeploysThem() {
    runner.withPropertyValues(SERVICE)
        .withPropertyValues(
            "modelhost.services[0].replicas=2",
            "modelhost.services[0].billing.type=per_token",
            "modelhost.services[0].billing.prompt-price-per-million=0.5",
            "modelhost.services[0].billing.completion-price-per-million=1.5",
            "modelhost.services[0].request-timeout=5s",
            "modelhost.services[0].queue-capacity=3",
            "modelhost.services[0].max-choices=2",
            "modelhost.services[0].options.threads=2",
            "modelhost.limits.max-body-size=2MB")
        .run(context -> {
          ModelHost host = context.getBean(ModelHost.class);
          ModelService service = host.awaitRunning("acme/chat", Duration.ofSeconds(30));
          assertThat(service.replicas()).isEqualTo(2);
          assertThat(service.billing().promptPricePerMillion()).isEqualByComparingTo(new BigDecimal("0.5"));
          assertThat(service.billing().completionPricePerMillion()).isEqualByComparingTo(new BigDecimal("1.5"));

          ModelhostProperties properties = context.getBean(ModelhostProperties.class);
          ModelhostProperties.Service bound = properties.getServices().get(0);
          assertThat(bound.getRequestTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(bound.toSpec().queueCapacity()).isEqualTo(3);
          assertThat(bound.toSpec().maxChoices()).isEqualTo(2);
          assertThat(bound.toSpec().source().option("threads")).isEqualTo("2");
          assertThat(properties.getLimits().getMaxBodySize().toMegabytes()).isEqualTo(2);

          assertThat(host.chat(hello("acme/chat")).firstContent()).isEqualTo("This is a test!");
        });
  }

  @Test
  void failsToStartOnAnInvalidServiceWithTheReason() {
    runner.withPropertyValues("modelhost.services[0].owner=Acme Corp", "modelhost.services[0].name=chat",
            "modelhost.services[0].location=x")
        .run(context -> assertThat(context).hasFailed()
            .getFailure().hasStackTraceContaining("Invalid owner"));
  }

  @Test
  void backsOffForTheApplicationsOwnBeans() {
    runner.withUserConfiguration(OwnBeans.class).run(context -> {
      assertThat(context).hasSingleBean(ModelHost.class).hasSingleBean(ApiKeys.class);
      assertThat(context.getBean(ModelHost.class)).isSameAs(context.getBean(OwnBeans.class).host);
      assertThat(context.getBean(ApiKeys.class)).isSameAs(context.getBean(OwnBeans.class).keys);
    });
  }

  @Test
  void handsUsageRecordsToTheApplicationsSinks() {
    RecordingUsageSink records = new RecordingUsageSink();
    runner.withPropertyValues(SERVICE)
        .withBean("recordingSink", UsageSink.class, () -> records)
        .run(context -> {
          ModelHost host = context.getBean(ModelHost.class);
          host.awaitRunning("acme/chat", Duration.ofSeconds(30));
          String id = host.chat(hello("acme/chat")).id();
          assertThat(records.awaitOne(id)).satisfies(record -> {
            assertThat(record.service()).isEqualTo("acme/chat");
            assertThat(record.completionTokens()).isEqualTo(4);
          });
        });
  }

  @Test
  void keepsTheBuiltInSinksWhenACustomizerSetsItsOwn() {
    RecordingUsageSink records = new RecordingUsageSink();
    runner.withPropertyValues(SERVICE)
        .withBean("ownSinkCustomizer", ModelhostCustomizer.class, () -> builder -> builder.usageSink(records))
        .run(context -> {
          ModelHost host = context.getBean(ModelHost.class);
          host.awaitRunning("acme/chat", Duration.ofSeconds(30));
          String id = host.chat(hello("acme/chat")).id();
          assertThat(records.awaitOne(id).service()).isEqualTo("acme/chat");
          assertThat(context.getBean(LedgerWriter.class).awaitWritten(Duration.ofSeconds(10))).isTrue();
          assertThat(context.getBean(UsageLedger.class).totals(
                  new UsageQuery(null, null, null, null, "acme/chat"), Set.of(UsageLedger.GroupBy.SERVICE)))
              .singleElement().satisfies(total -> assertThat(total.requests()).isEqualTo(1));
        });
  }

  @Test
  void recordsPerServiceMetricsWhenAMeterRegistryExists() {
    runner.withPropertyValues(SERVICE)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> {
          ModelHost host = context.getBean(ModelHost.class);
          host.awaitRunning("acme/chat", Duration.ofSeconds(30));
          host.chat(hello("acme/chat"));
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.get("modelhost.requests").tag("service", "acme/chat").tag("outcome", "completed")
              .counter().count()).isEqualTo(1);
          assertThat(registry.get("modelhost.tokens").tag("kind", "completion").counter().count()).isEqualTo(4);
          assertThat(registry.get("modelhost.time.to.first.token").timer().count()).isEqualTo(1);
          assertThat(registry.get("modelhost.replicas.ready").tag("service", "acme/chat").gauge().value())
              .isEqualTo(1);
          for (String idle : List.of("modelhost.replicas.busy", "modelhost.requests.in.flight", "modelhost.queue.depth")) {
            assertThat(registry.get(idle).tag("service", "acme/chat").gauge().value()).as(idle).isZero();
          }
        });
  }

  @Test
  void requiresTheSecretWhenKeyDigestsAreConfigured() {
    runner.withPropertyValues("modelhost.security.admin-key-digest=" + "ab".repeat(32))
        .run(context -> assertThat(context).hasFailed()
            .getFailure().hasStackTraceContaining("modelhost.security.secret"));
  }

  @Test
  void acceptsKeysConfiguredAsDigests() {
    String secret = "a-server-secret-of-some-length";
    String ownerKey = "mh-configured-owner-key-0001";
    String adminKey = "mh-configured-admin-key-0001";
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    runner.withPropertyValues(
            "modelhost.security.secret=" + secret,
            "modelhost.security.admin-key-digest=" + StoredApiKeys.digestHex(secretBytes, adminKey),
            "modelhost.security.keys[0].owner=acme",
            "modelhost.security.keys[0].id=acme-ci",
            "modelhost.security.keys[0].digest=" + StoredApiKeys.digestHex(secretBytes, ownerKey))
        .run(context -> {
          ApiKeys keys = context.getBean(ApiKeys.class);
          assertThat(keys.authenticate(ownerKey)).hasValueSatisfying(key -> {
            assertThat(key.id()).isEqualTo("acme-ci");
            assertThat(key.owner()).isEqualTo("acme");
          });
          assertThat(keys.authenticate(adminKey)).hasValueSatisfying(key -> assertThat(key.admin()).isTrue());
          assertThat(keys.authenticate(ownerKey + "x")).isEmpty();
        });
  }

  @Test
  void registersConfiguredKeysWithTheApplicationsOwnKeysBean() {
    String secret = "a-server-secret-of-some-length";
    String ownerKey = "mh-configured-owner-key-0002";
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    ApiKeys own = new StoredApiKeys(secretBytes, new InMemoryApiKeyStore(), Clock.systemUTC());
    runner.withPropertyValues(
            "modelhost.security.secret=" + secret,
            "modelhost.security.keys[0].owner=acme",
            "modelhost.security.keys[0].digest=" + StoredApiKeys.digestHex(secretBytes, ownerKey))
        .withBean("ownKeys", ApiKeys.class, () -> own)
        .run(context -> {
          assertThat(context.getBean(ApiKeys.class)).isSameAs(own);
          assertThat(own.authenticate(ownerKey)).hasValueSatisfying(key -> {
            assertThat(key.owner()).isEqualTo("acme");
            assertThat(key.id()).isEqualTo("cfg-" + StoredApiKeys.digestHex(secretBytes, ownerKey).substring(0, 12));
          });
        });
  }

  @Test
  void servesHttpOnlyInServletWebApplications() {
    runner.run(context -> assertThat(context).doesNotHaveBean(OpenAiController.class).hasSingleBean(ModelHost.class));
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ModelhostAutoConfiguration.class))
        .run(context -> assertThat(context).hasSingleBean(OpenAiController.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    final ModelHost host = ModelHost.builder().build();
    final ApiKeys keys = new StoredApiKeys(StoredApiKeys.randomSecret(), new InMemoryApiKeyStore(), Clock.systemUTC());

    @Bean
    ModelHost ownHost() {
      return host;
    }

    @Bean
    ApiKeys ownKeys() {
      return keys;
    }
  }
}
