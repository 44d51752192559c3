package dev.modelhost.spi;

/**
 * A loaded model shared by all replicas of one service (local: the weights; remote: the endpoint
 * list). Closing it frees the weights; it is closed after every replica is closed.
 */
public interface ModelRuntime extends AutoCloseable {

  /** What was loaded: model type, context window. */
  ModelDescriptor descriptor();

  /**
   * Creates replica number {@code index} (0-based). Local replicas share this runtime's weights
   * and own their working memory (KV caches); remote replicas are endpoints.
   */
  Replica createReplica(int index);

  @Override
  void close();
}
