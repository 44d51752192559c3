package dev.modelhost.spi;

/**
 * One unit of serving capacity. The replica pool calls {@link #execute} from its own threads, at
 * most {@link #capacity()} calls at a time. A replica whose calls run in one batched decoder loop
 * (the local engine's continuous batching) reports its maximum batch as its capacity.
 */
public interface Replica extends AutoCloseable {

  /** How many requests this replica runs at once. */
  default int capacity() {
    return 1;
  }

  /**
   * Runs one request to its end, reporting output to {@code listener} as it is produced. Returns
   * normally when every choice has finished; checks {@link InferenceRequest#cancellation()} at
   * least once per decoder step (or upstream chunk) and then throws
   * {@link dev.modelhost.exception.RequestCancelledException}.
   *
   * @throws dev.modelhost.exception.ModelhostException for a bad request or a backend failure; a
   *     {@link ReplicaFailureException} says that this replica is broken and must be replaced
   */
  void execute(InferenceRequest request, GenerationListener listener);

  /** Frees this replica's working memory; the runtime's shared weights stay. */
  @Override
  void close();
}
