package dev.modelhost.spring.internal.store;

import dev.modelhost.exception.ConflictException;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.ApiKeyStore;
import dev.modelhost.spring.store.StoredKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** API keys kept in memory only: for embedded use and tests. */
public final class InMemoryApiKeyStore implements ApiKeyStore {

  private final List<StoredKey> keys = new ArrayList<>();
  private byte @Nullable [] secret;

  @Override
  public synchronized List<StoredKey> list() {
    return List.copyOf(keys);
  }

  @Override
  public synchronized void insert(StoredKey key) {
    for (StoredKey existing : keys) {
      if (existing.id().equals(key.id()) || existing.digest().equals(key.digest())) {
        throw new ConflictException("An API key with this id or digest exists already.", "id");
      }
    }
    keys.add(key);
  }

  @Override
  public synchronized boolean revoke(String id, Instant at) {
    for (int i = 0; i < keys.size(); i++) {
      StoredKey key = keys.get(i);
      if (key.id().equals(id)) {
        if (key.revoked() == null) {
          keys.set(i, new StoredKey(key.id(), key.owner(), key.masked(), key.digest(), key.source(), key.created(),
              key.expiresAt(), key.lastUsed(), at, key.quota()));
        }
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized boolean setQuota(String id, KeyQuota quota) {
    for (int i = 0; i < keys.size(); i++) {
      StoredKey key = keys.get(i);
      if (key.id().equals(id)) {
        keys.set(i, new StoredKey(key.id(), key.owner(), key.masked(), key.digest(), key.source(), key.created(),
            key.expiresAt(), key.lastUsed(), key.revoked(), quota));
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void touch(Map<String, Instant> lastUsed) {
    for (int i = 0; i < keys.size(); i++) {
      StoredKey key = keys.get(i);
      Instant used = lastUsed.get(key.id());
      if (used != null) {
        keys.set(i, new StoredKey(key.id(), key.owner(), key.masked(), key.digest(), key.source(), key.created(),
            key.expiresAt(), used, key.revoked(), key.quota()));
      }
    }
  }

  @Override
  public synchronized byte[] secret(Supplier<byte[]> generate) {
    if (secret == null) {
      secret = generate.get().clone();
    }
    return secret.clone();
  }
}
