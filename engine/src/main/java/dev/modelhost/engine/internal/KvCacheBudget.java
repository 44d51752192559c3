package dev.modelhost.engine.internal;

/**
 * The {@code kv-cache-tokens} budget of one {@link StepLoop}: which waiting sequence may become
 * active. Each active sequence reserves {@link Sequence#kvCacheTokens()}, what its cache can come
 * to hold, from when it joins until it leaves (finished, cancelled or failed), so that the caches
 * never outgrow the budget however long the answers run.
 *
 * <p>Admission is first come first served without overtaking: when the sequence at the head of
 * the waiting line does not fit, none behind it joins, even a smaller one that would. The head
 * therefore waits only for sequences that are already running, each bounded by its own limit, and
 * a stream of small requests can never starve a large one. The cost is budget left idle while the
 * head waits; vLLM's first-come-first-served scheduler makes the same choice. A sequence that could
 * never fit is refused before it is queued ({@link LocalReplica}), so the head always fits once the
 * active sequences have left. Used by the loop thread only.
 */
final class KvCacheBudget {

  private final int tokens;
  private long reserved;

  /** @param tokens the budget, or {@link BatchOptions#UNBOUNDED} */
  KvCacheBudget(int tokens) {
    this.tokens = tokens;
  }

  /** Reserves the sequence's tokens if they fit in what is left; false, reserving nothing, if not. */
  boolean tryReserve(Sequence sequence) {
    long wanted = reserved + sequence.kvCacheTokens();
    if (tokens != BatchOptions.UNBOUNDED && wanted > tokens) {
      return false;
    }
    reserved = wanted;
    return true;
  }

  /** Gives back what an active sequence reserved; it has left the loop. */
  void release(Sequence sequence) {
    reserved -= sequence.kvCacheTokens();
  }
}
