package dev.modelhost.spring.internal;

import dev.modelhost.ServiceSpec;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * API keys held in memory as HMAC-SHA256 digests under the server secret. Authentication computes
 * the presented key's digest and compares it with every stored digest in constant time.
 */
public final class InMemoryApiKeys implements ApiKeys {

  static final String KEY_PREFIX = "mh-";

  private final byte[] secret;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  private record Entry(ApiKey key, byte[] digest) {}

  public InMemoryApiKeys(byte[] secret, Clock clock) {
    if (secret.length < 16) {
      throw new InvalidRequestException("The server secret must be at least 16 bytes long.", "secret");
    }
    this.secret = secret.clone();
    this.clock = clock;
  }

  /** A random secret for servers that keep no keys across restarts. */
  public static byte[] randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  /** The hex digest that configuration holds for {@code plainKey} under {@code secret}. */
  public static String digestHex(byte[] secret, String plainKey) {
    return HexFormat.of().formatHex(hmac(secret, plainKey));
  }

  @Override
  public CreatedKey create(String owner) {
    checkOwner(owner);
    return createKey(owner);
  }

  @Override
  public CreatedKey createAdmin() {
    return createKey(null);
  }

  private CreatedKey createKey(@Nullable String owner) {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    String plain = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ApiKey key = add(newId(), owner, mask(plain), "api", hmac(secret, plain));
    return new CreatedKey(key, plain);
  }

  @Override
  public ApiKey register(String owner, String plainKey) {
    checkOwner(owner);
    return add(newId(), owner, mask(plainKey), "config", hmac(secret, checkPlain(plainKey)));
  }

  @Override
  public ApiKey registerAdmin(String plainKey) {
    return add(newId(), null, mask(plainKey), "config", hmac(secret, checkPlain(plainKey)));
  }

  /** Adds a key known only by its hex digest (from configuration). */
  public ApiKey registerDigest(@Nullable String id, @Nullable String owner, String hexDigest) {
    if (owner != null) {
      checkOwner(owner);
    }
    byte[] digest;
    try {
      digest = HexFormat.of().parseHex(hexDigest.trim().toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("A key digest must be 64 hex characters.", "digest");
    }
    if (digest.length != 32) {
      throw new InvalidRequestException("A key digest must be 64 hex characters.", "digest");
    }
    String keyId = id != null && !id.isBlank() ? id : "cfg-" + hexDigest.trim().substring(0, 8);
    return add(keyId, owner, "(configured)", "config", digest);
  }

  @Override
  public Optional<ApiKey> authenticate(String presentedKey) {
    byte[] digest = hmac(secret, presentedKey);
    ApiKey match = null;
    // Every entry is compared, so timing does not tell how many keys or which one matched.
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && match == null) {
        match = entry.key();
      }
    }
    return Optional.ofNullable(match);
  }

  @Override
  public List<ApiKey> list() {
    List<ApiKey> keys = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      keys.add(entry.key());
    }
    return List.copyOf(keys);
  }

  @Override
  public ApiKey revoke(String id) {
    for (Entry entry : entries) {
      if (entry.key().id().equals(id)) {
        entries.remove(entry);
        return entry.key();
      }
    }
    throw new NotFoundException("No API key with id '" + id + "'.", "id", "key_not_found");
  }

  private synchronized ApiKey add(String id, @Nullable String owner, String masked, String source, byte[] digest) {
    for (Entry entry : entries) {
      if (entry.key().id().equals(id)) {
        throw new InvalidRequestException("An API key with id '" + id + "' exists already.", "id");
      }
    }
    ApiKey key = new ApiKey(id, owner, masked, clock.instant(), source);
    entries.add(new Entry(key, digest));
    return key;
  }

  private String newId() {
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    return "key-" + HexFormat.of().formatHex(bytes);
  }

  /** The masked form of a presented key, safe to log or echo. */
  static String mask(String plainKey) {
    if (plainKey.length() < 12) {
      return "****";
    }
    return plainKey.substring(0, 5) + "…" + plainKey.substring(plainKey.length() - 4);
  }

  private static String checkPlain(String plainKey) {
    if (plainKey.length() < 16 || plainKey.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new InvalidRequestException(
          "An API key must be at least 16 printable ASCII characters without spaces.", "key");
    }
    return plainKey;
  }

  private static void checkOwner(String owner) {
    if (!ServiceSpec.NAME_PATTERN.matcher(owner).matches()) {
      throw new InvalidRequestException(
          "Invalid owner '" + owner + "': use 1-63 lowercase letters, digits, '-', '_' or '.',"
              + " starting with a letter or digit.",
          "owner",
          "invalid_value");
    }
  }

  private static byte[] hmac(byte[] secret, String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
