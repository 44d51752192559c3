package dev.modelhost.spring;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An API key as the server knows it: never the key itself, only its id, owner and a masked hint.
 *
 * @param id stable identifier, written to usage records as the caller
 * @param owner the owner namespace whose services the key may call; null for the admin key
 * @param masked a hint such as {@code mh-Ab…x9Qz}, for listings
 * @param source {@code config} for keys from configuration, {@code api} for keys made at runtime
 */
public record ApiKey(String id, @Nullable String owner, String masked, Instant created, String source) {

  /** Whether this is the admin key: it manages everything and may call every service. */
  public boolean admin() {
    return owner == null;
  }

  /** Whether this key may call the service with the given access path name ({@code owner/name}). */
  public boolean mayUse(String accessPath) {
    return owner == null || accessPath.startsWith(owner + "/");
  }
}
