package dev.modelhost.spi;

import dev.modelhost.exception.BackendException;
import org.jspecify.annotations.Nullable;

/** Thrown by a replica that can no longer serve; the pool replaces it with back-off. */
public class ReplicaFailureException extends BackendException {

  public ReplicaFailureException(String message, @Nullable Throwable cause) {
    super(message, 500, "replica_failed", true, cause);
  }
}
