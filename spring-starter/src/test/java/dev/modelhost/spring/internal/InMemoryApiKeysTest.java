package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.spring.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class InMemoryApiKeysTest {

  private final InMemoryApiKeys keys = new InMemoryApiKeys(InMemoryApiKeys.randomSecret(), Clock.systemUTC());

  @Test
  void digestsAreHmacSha256AsOpensslComputesThem() {
    // RFC-style known answer: printf %s "The quick brown fox jumps over the lazy dog" | openssl dgst -sha256 -hmac key
    assertThat(InMemoryApiKeys.digestHex("key".getBytes(StandardCharsets.UTF_8),
            "The quick brown fox jumps over the lazy dog"))
        .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  }

  @Test
  void showsACreatedKeyOnlyInTheCreationResult() {
    ApiKeys.CreatedKey created = keys.create("acme");

    assertThat(created.toString()).doesNotContain(created.key());
    assertThat(keys.list().toString()).doesNotContain(created.key());
    assertThat(created.apiKey().masked()).doesNotContain(created.key().substring(5, created.key().length() - 4));
    assertThat(keys.authenticate(created.key())).contains(created.apiKey());
  }

  @Test
  void authenticatesOnlyTheExactKey() {
    ApiKeys.CreatedKey created = keys.create("acme");

    assertThat(keys.authenticate(created.key() + " ")).isEmpty();
    assertThat(keys.authenticate(created.key().substring(1))).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
  }

  @Test
  void refusesWeakOperatorKeysAndInvalidOwners() {
    assertThatThrownBy(() -> keys.register("acme", "short")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> keys.registerAdmin("has a space in it 0123")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> keys.create("Acme/Root")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void forgetsARevokedKey() {
    ApiKeys.CreatedKey created = keys.create("acme");

    keys.revoke(created.apiKey().id());

    assertThat(keys.authenticate(created.key())).isEmpty();
    assertThat(keys.list()).isEmpty();
  }
}
