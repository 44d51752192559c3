package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.ServiceStatus;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.Await;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class ServicesHealthIndicatorTest {

  private final ScriptedBackend backend = new ScriptedBackend();
  private final ModelHost host = ModelHost.builder().backend(backend).build();
  private final ServicesHealthIndicator indicator = new ServicesHealthIndicator(host);

  @AfterEach
  void close() {
    backend.releaseLoad();
    host.close();
  }

  private void deploy(String name, Map<String, String> options) {
    host.deploy(ServiceSpec.builder("acme", name).backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", options)).build());
  }

  private void deployBroken(String name) {
    deploy(name, Map.of("fail-load", "no weights here"));
    Await.until(name + " failed", () -> host.describe("acme/" + name).status() == ServiceStatus.FAILED);
  }

  @Test
  void isUpWithNoServices() {
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void isOutOfServiceUntilTheFirstServiceRuns() {
    backend.holdLoad();
    deploy("slow", Map.of());

    assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

    backend.releaseLoad();
    host.awaitRunning("acme/slow", Duration.ofSeconds(10));
    assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void staysUpWhenOneOfSeveralServicesFailedAndShowsWhichInTheDetails() {
    deployBroken("broken");
    deploy("chat", Map.of());
    host.awaitRunning("acme/chat", Duration.ofSeconds(10));

    Health health = indicator.health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails().get("acme/broken"))
        .isEqualTo(Map.of("status", "failed", "replicas", 1, "readyReplicas", 0,
            "reason", host.describe("acme/broken").statusReason()));
    assertThat(health.getDetails().get("acme/chat"))
        .isEqualTo(Map.of("status", "running", "replicas", 1, "readyReplicas", 1));
  }

  @Test
  void isOutOfServiceWhileTheServicesBesideAFailedOneAreStillCreated() {
    deployBroken("broken");
    backend.holdLoad();
    deploy("slow", Map.of());

    assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
  }

  @Test
  void isDownOnlyWhenEveryServiceFailed() {
    deployBroken("broken");
    deployBroken("also-broken");

    assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
  }
}
