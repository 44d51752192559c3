package dev.modelhost.spring;

import java.util.List;
import java.util.Optional;

/**
 * The server's API keys. Keys are kept only as HMAC-SHA256 digests under the server secret; the
 * plain key is returned once, by {@link #create(String)}.
 */
public interface ApiKeys {

  /** A new random key for {@code owner}; the plain key is in the result and nowhere else. */
  CreatedKey create(String owner);

  /** A new random admin key; the plain key is in the result and nowhere else. */
  CreatedKey createAdmin();

  /** Registers a key chosen by the operator (e.g. from an environment variable) for {@code owner}. */
  ApiKey register(String owner, String plainKey);

  /** Registers a key chosen by the operator as an admin key. */
  ApiKey registerAdmin(String plainKey);

  /** The key that the presented secret belongs to, compared in constant time. */
  Optional<ApiKey> authenticate(String presentedKey);

  /** Every key, admin keys included, ordered by creation. */
  List<ApiKey> list();

  /** Revokes a key; {@link dev.modelhost.exception.NotFoundException} if there is none with this id. */
  ApiKey revoke(String id);

  /** A key just made: {@code key} is the plain secret, shown once. */
  record CreatedKey(ApiKey apiKey, String key) {

    @Override
    public String toString() {
      return "CreatedKey[" + apiKey + "]";
    }
  }
}
