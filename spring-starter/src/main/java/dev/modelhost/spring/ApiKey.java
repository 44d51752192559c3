package dev.modelhost.spring;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An API key as the server knows it: never the key itself, only its id, owner and a masked hint.
 *
 * @param id stable identifier, written to usage records as the caller; keys from configuration
 *     keep theirs across restarts (derived from their digest)
 * @param owner the owner namespace whose services the key may call; null for the admin key
 * @param masked a hint such as {@code mh-Ab…x9Qz}, for listings
 * @param source {@code config} for keys from configuration, {@code api} for keys made at runtime
 * @param expiresAt when the key stops working; null for never
 * @param lastUsed when it last authenticated a request, as recorded (every few seconds); null for never
 * @param revoked when it was revoked; null while it works
 * @param quota its limits
 */
public record ApiKey(
    String id,
    @Nullable String owner,
    String masked,
    Instant created,
    String source,
    @Nullable Instant expiresAt,
    @Nullable Instant lastUsed,
    @Nullable Instant revoked,
    KeyQuota quota) {

  /** Whether this is the admin key: it manages everything and may call every service. */
  public boolean admin() {
    return owner == null;
  }

  /** Whether the key authenticates requests at {@code now}: not revoked and not expired. */
  public boolean usable(Instant now) {
    return revoked == null && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** Whether this key may call the service with the given access path name ({@code owner/name}). */
  public boolean mayUse(String accessPath) {
    return owner == null || accessPath.startsWith(owner + "/");
  }
}
