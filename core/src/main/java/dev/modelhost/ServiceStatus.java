package dev.modelhost;

/** Life cycle of a model service. */
public enum ServiceStatus {
  CREATING,
  RUNNING,
  SCALING,
  FAILED,
  DELETING,
  DELETED
}
