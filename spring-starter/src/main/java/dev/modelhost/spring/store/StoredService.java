package dev.modelhost.spring.store;

import dev.modelhost.ServiceSpec;
import java.time.Instant;
import java.util.Objects;

/**
 * A service as recorded: its specification (replica count included) and the id of this
 * incarnation. A service deleted and created again under the same name gets a new
 * {@code instanceId}, so its usage records are told apart from the old one's.
 */
public record StoredService(String instanceId, ServiceSpec spec, Instant created) {

  public StoredService {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(created, "created");
  }

  public String accessPath() {
    return spec.accessPath();
  }

  /** The same incarnation with another specification (e.g. a new replica count). */
  public StoredService withSpec(ServiceSpec newSpec) {
    return new StoredService(instanceId, newSpec, created);
  }
}
