package dev.modelhost.spring;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The server's API keys. Keys are kept only as HMAC-SHA256 digests under the server secret; the
 * plain key is returned once, by {@link #create(String)}. Keys from configuration are registered
 * through this interface, so they work with any implementation.
 */
public interface ApiKeys {

  /** A new random key for {@code owner}; the plain key is in the result and nowhere else. */
  default CreatedKey create(String owner) {
    return create(owner, null);
  }

  /** A new random key for {@code owner} that stops working at {@code expiresAt} (null: never). */
  CreatedKey create(String owner, @Nullable Instant expiresAt);

  /** A new random admin key; the plain key is in the result and nowhere else. */
  CreatedKey createAdmin();

  /**
   * Registers a key chosen by the operator (e.g. from an environment variable) for {@code owner}.
   * Its id is derived from its digest, so it is the same at every start; registering it again
   * returns the key as recorded, revoked if it was revoked.
   */
  ApiKey register(String owner, String plainKey);

  /** Registers a key chosen by the operator as an admin key, as {@link #register} does. */
  ApiKey registerAdmin(String plainKey);

  /**
   * Registers a key known only by its hex HMAC-SHA256 digest under the server secret (from
   * configuration) for {@code owner} (null: an admin key). {@code id} null derives the id from the
   * digest. As with {@link #register}, a key recorded earlier is returned as it is.
   */
  ApiKey registerDigest(@Nullable String id, @Nullable String owner, String hexDigest);

  /** The usable key that the presented secret belongs to, compared in constant time. */
  Optional<ApiKey> authenticate(String presentedKey);

  /** The key with this id, revoked and expired ones included. */
  Optional<ApiKey> find(String id);

  /** Every key, revoked ones included, ordered by creation. */
  List<ApiKey> list();

  /**
   * Revokes a key; {@link dev.modelhost.exception.NotFoundException} if there is none with this id,
   * {@link dev.modelhost.exception.ConflictException} if it is the last usable admin key.
   */
  ApiKey revoke(String id);

  /** Sets the limits of a key; {@link dev.modelhost.exception.NotFoundException} if there is none with this id. */
  ApiKey setQuota(String id, KeyQuota quota);

  /** A key just made: {@code key} is the plain secret, shown once. */
  record CreatedKey(ApiKey apiKey, String key) {

    @Override
    public String toString() {
      return "CreatedKey[" + apiKey + "]";
    }
  }
}
