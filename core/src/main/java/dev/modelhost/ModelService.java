package dev.modelhost;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a model service: its basic information and state.
 *
 * @param modelType architecture reported by the backend once loaded, else the spec's or {@code unknown}
 * @param replicas desired replica count
 * @param readyReplicas replicas serving now
 * @param busyReplicas replicas running at least one request now (draining ones included)
 * @param inFlightRequests requests running on the replicas now
 * @param queuedRequests requests waiting for a free replica now
 * @param statusReason why the service is {@code FAILED} or degraded; null when healthy
 * @param pullProgress how far the model's download has come while {@code CREATING}; null otherwise
 */
public record ModelService(
    String name,
    String owner,
    String accessPath,
    String modelType,
    String backend,
    String location,
    int replicas,
    int readyReplicas,
    int busyReplicas,
    int inFlightRequests,
    int queuedRequests,
    BillingMethod billing,
    ServiceStatus status,
    @Nullable String statusReason,
    @Nullable PullProgress pullProgress,
    Instant created) {}
