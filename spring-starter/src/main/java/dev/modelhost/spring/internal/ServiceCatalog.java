package dev.modelhost.spring.internal;

import dev.modelhost.BillingMethod;
import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spring.store.ServiceStore;
import dev.modelhost.spring.store.StoredService;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's services as the server records them: every create, scale and delete of the
 * management API goes through here to the {@link ServiceStore}, and {@link #restore} brings them
 * back at start. Each incarnation of a service has an instance id for the usage ledger; the last
 * one of a deleted service is kept, so that its requests still in flight are booked to it.
 */
public final class ServiceCatalog {

  private static final Logger log = LoggerFactory.getLogger(ServiceCatalog.class);

  /** What ledger records of a service are booked to. */
  public record Booking(String instanceId, BillingMethod billing) {}

  private final ModelHost host;
  private final ServiceStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Booking> bookings = new ConcurrentHashMap<>();

  public ServiceCatalog(ModelHost host, ServiceStore store, Clock clock) {
    this.host = host;
    this.store = store;
    this.clock = clock;
  }

  /**
   * Deploys the recorded services and the configured ones. A configured service keeps the replica
   * count recorded for it (it may have been scaled through the management API); otherwise the
   * configuration is its specification.
   */
  public synchronized void restore(List<ServiceSpec> configured) {
    Map<String, StoredService> recorded = new HashMap<>();
    for (StoredService service : store.list()) {
      recorded.put(service.accessPath(), service);
    }
    for (ServiceSpec spec : configured) {
      StoredService known = recorded.remove(spec.accessPath());
      StoredService service = known == null
          ? new StoredService(newInstanceId(), spec, clock.instant())
          : known.withSpec(spec.toBuilder().replicas(known.spec().replicas()).build());
      store.save(service);
      start(service);
    }
    for (StoredService service : recorded.values()) {
      try {
        start(service);
      } catch (RuntimeException e) {
        // One service that cannot start (its backend is gone) must not keep the others down.
        log.error("Could not bring back service {}: {}", service.accessPath(), e.getMessage());
      }
    }
  }

  private void start(StoredService service) {
    host.deploy(service.spec());
    bookings.put(service.accessPath(), new Booking(service.instanceId(), service.spec().billing()));
  }

  /** Creates a service and records it. */
  public synchronized ModelService deploy(ServiceSpec spec) {
    StoredService service = new StoredService(newInstanceId(), spec, clock.instant());
    ModelService created = host.deploy(spec);
    try {
      store.save(service);
    } catch (RuntimeException e) {
      host.delete(spec.accessPath(), spec.name());
      throw e;
    }
    bookings.put(service.accessPath(), new Booking(service.instanceId(), spec.billing()));
    return created;
  }

  /** Scales a service and records its new replica count. */
  public synchronized ModelService scale(String accessPath, int replicas) {
    ServiceSpec.checkReplicas(replicas);
    StoredService recorded = recorded(accessPath);
    ModelService scaled = host.scale(accessPath, replicas);
    store.save(recorded.withSpec(recorded.spec().toBuilder().replicas(replicas).build()));
    return scaled;
  }

  /** Deletes a service and forgets it. */
  public synchronized void delete(String accessPath, String confirmName) {
    host.delete(accessPath, confirmName);
    store.delete(accessPath);
  }

  /** The incarnation and billing method that a record of {@code accessPath} is booked to. */
  public Booking booking(String accessPath) {
    Booking booking = bookings.get(accessPath);
    if (booking != null) {
      return booking;
    }
    // A service deployed on the host directly, not through the server: not recorded.
    try {
      return new Booking("unrecorded", host.describe(accessPath).billing());
    } catch (NotFoundException e) {
      return new Booking("unrecorded", BillingMethod.free());
    }
  }

  private StoredService recorded(String accessPath) {
    for (StoredService service : store.list()) {
      if (service.accessPath().equals(accessPath)) {
        return service;
      }
    }
    // Not recorded (deployed on the host directly): describe() says whether it exists at all.
    ModelService live = host.describe(accessPath);
    throw new NotFoundException("Service '" + live.accessPath() + "' was not created through the server.", "model",
        "model_not_found");
  }

  private String newInstanceId() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return "svc-" + HexFormat.of().formatHex(bytes);
  }
}
