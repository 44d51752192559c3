package dev.modelhost.spring.internal;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ServiceStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health from the services' status: {@code OUT_OF_SERVICE} while any service is still being created
 * (not ready for traffic), {@code DOWN} when any failed, {@code UP} otherwise.
 */
public final class ServicesHealthIndicator implements HealthIndicator {

  private final ModelHost host;

  public ServicesHealthIndicator(ModelHost host) {
    this.host = host;
  }

  @Override
  public Health health() {
    Status status = Status.UP;
    Map<String, Object> details = new LinkedHashMap<>();
    for (ModelService service : host.services()) {
      details.put(service.accessPath(), Map.of(
          "status", service.status().name().toLowerCase(Locale.ROOT),
          "replicas", service.replicas(),
          "readyReplicas", service.readyReplicas()));
      if (service.status() == ServiceStatus.FAILED) {
        status = Status.DOWN;
      } else if (service.status() == ServiceStatus.CREATING && status == Status.UP) {
        status = Status.OUT_OF_SERVICE;
      }
    }
    return Health.status(status).withDetails(details).build();
  }
}
