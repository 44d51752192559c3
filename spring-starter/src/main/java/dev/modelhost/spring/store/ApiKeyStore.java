package dev.modelhost.spring.store;

import dev.modelhost.spring.KeyQuota;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Stored API keys. Keys are never deleted: a revoked key keeps its row, so usage records still
 * name it and a configured key revoked once stays revoked. Implementations are thread-safe.
 */
public interface ApiKeyStore {

  /** Every key, revoked ones included, ordered by creation. */
  List<StoredKey> list();

  /** Adds a key; {@link dev.modelhost.exception.ConflictException} when its id or digest is taken. */
  void insert(StoredKey key);

  /** Marks a key revoked at {@code at}, unless it is already revoked; false when there is no such key. */
  boolean revoke(String id, Instant at);

  /** Replaces a key's limits; false when there is no such key. */
  boolean setQuota(String id, KeyQuota quota);

  /** Records when keys were last used. */
  void touch(Map<String, Instant> lastUsed);

  /**
   * The secret under which key digests are kept: the stored one, or on first use the one that
   * {@code generate} makes, stored for the next start.
   */
  byte[] secret(Supplier<byte[]> generate);
}
