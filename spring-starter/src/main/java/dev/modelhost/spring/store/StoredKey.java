package dev.modelhost.spring.store;

import dev.modelhost.spring.KeyQuota;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An API key as stored: its HMAC-SHA256 digest (hex) under the server secret, never the key.
 *
 * @param owner the owner namespace, null for an admin key
 * @param source {@code config} for keys from configuration or environment, {@code api} for keys
 *     made through the management API
 * @param expiresAt when the key stops working, null for never
 * @param lastUsed when the key last authenticated a request (updated at most every few seconds)
 * @param revoked when the key was revoked, null while it is not
 * @param quota the key's limits
 */
public record StoredKey(
    String id,
    @Nullable String owner,
    String masked,
    String digest,
    String source,
    Instant created,
    @Nullable Instant expiresAt,
    @Nullable Instant lastUsed,
    @Nullable Instant revoked,
    KeyQuota quota) {

  public StoredKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(masked, "masked");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(quota, "quota");
  }
}
