package dev.modelhost.spring.internal;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ServiceStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health from the services' status, so that one broken service does not take a multi-service
 * server out of readiness: {@code UP} while at least one service serves (or none is deployed),
 * {@code DOWN} when every service failed, {@code OUT_OF_SERVICE} otherwise (services still being
 * created). Each service's own status, replica counts and failure reason are in the details.
 */
public final class ServicesHealthIndicator implements HealthIndicator {

  private final ModelHost host;

  public ServicesHealthIndicator(ModelHost host) {
    this.host = host;
  }

  @Override
  public Health health() {
    List<ModelService> services = host.services();
    Map<String, Object> details = new LinkedHashMap<>();
    for (ModelService service : services) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", service.status().name().toLowerCase(Locale.ROOT));
      detail.put("replicas", service.replicas());
      detail.put("readyReplicas", service.readyReplicas());
      if (service.statusReason() != null) {
        detail.put("reason", service.statusReason());
      }
      details.put(service.accessPath(), detail);
    }
    return Health.status(status(services)).withDetails(details).build();
  }

  private static Status status(List<ModelService> services) {
    if (services.isEmpty() || services.stream().anyMatch(ServicesHealthIndicator::serves)) {
      return Status.UP;
    }
    if (services.stream().allMatch(s -> s.status() == ServiceStatus.FAILED)) {
      return Status.DOWN;
    }
    return Status.OUT_OF_SERVICE;
  }

  private static boolean serves(ModelService service) {
    return service.status() == ServiceStatus.RUNNING
        || service.status() == ServiceStatus.SCALING && service.readyReplicas() > 0;
  }
}
