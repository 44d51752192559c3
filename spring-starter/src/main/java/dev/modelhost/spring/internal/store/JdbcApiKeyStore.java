package dev.modelhost.spring.internal.store;

import dev.modelhost.exception.ConflictException;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.ApiKeyStore;
import dev.modelhost.spring.store.StoredKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** API keys in {@code modelhost_api_keys}; the digest secret in {@code modelhost_settings}. */
public final class JdbcApiKeyStore implements ApiKeyStore {

  private static final String SECRET = "key_digest_secret";

  private final JdbcStore store;

  JdbcApiKeyStore(JdbcStore store) {
    this.store = store;
  }

  @Override
  public List<StoredKey> list() {
    return store.transaction(connection -> {
      List<StoredKey> keys = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(
              "SELECT id, owner, masked, digest, source, created_at, expires_at, last_used_at, revoked_at,"
                  + " requests_per_minute, tokens_per_minute, concurrent_requests, budget, budget_period FROM modelhost_api_keys ORDER BY created_at, id");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          keys.add(new StoredKey(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
              rows.getString(5), Instant.ofEpochMilli(rows.getLong(6)), instant(rows, 7), instant(rows, 8),
              instant(rows, 9), new KeyQuota(rows.getObject(10, Integer.class), rows.getObject(11, Long.class),
                  rows.getObject(12, Integer.class), rows.getBigDecimal(13), rows.getString(14))));
        }
      }
      return keys;
    });
  }

  @Override
  public void insert(StoredKey key) {
    store.transaction(connection -> {
      try (PreparedStatement exists = connection.prepareStatement(
          "SELECT COUNT(*) FROM modelhost_api_keys WHERE id = ? OR digest = ?")) {
        exists.setString(1, key.id());
        exists.setString(2, key.digest());
        try (ResultSet rows = exists.executeQuery()) {
          rows.next();
          if (rows.getLong(1) > 0) {
            throw new ConflictException("An API key with this id or digest exists already.", "id");
          }
        }
      }
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO modelhost_api_keys (id, owner, masked, digest, source, created_at, expires_at, last_used_at,"
              + " revoked_at, requests_per_minute, tokens_per_minute, concurrent_requests, budget, budget_period)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, key.id());
        insert.setString(2, key.owner());
        insert.setString(3, key.masked());
        insert.setString(4, key.digest());
        insert.setString(5, key.source());
        insert.setLong(6, key.created().toEpochMilli());
        setInstant(insert, 7, key.expiresAt());
        setInstant(insert, 8, key.lastUsed());
        setInstant(insert, 9, key.revoked());
        KeyQuota quota = key.quota();
        insert.setObject(10, quota.requestsPerMinute(), Types.INTEGER);
        insert.setObject(11, quota.tokensPerMinute(), Types.BIGINT);
        insert.setObject(12, quota.concurrentRequests(), Types.INTEGER);
        insert.setBigDecimal(13, quota.budget());
        insert.setString(14, quota.budgetPeriod());
        insert.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public boolean revoke(String id, Instant at) {
    return store.transaction(connection -> {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE modelhost_api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")) {
        update.setLong(1, at.toEpochMilli());
        update.setString(2, id);
        return update.executeUpdate() > 0;
      }
    });
  }

  @Override
  public boolean setQuota(String id, KeyQuota quota) {
    return store.transaction(connection -> {
      try (PreparedStatement update = connection.prepareStatement("UPDATE modelhost_api_keys SET requests_per_minute = ?,"
          + " tokens_per_minute = ?, concurrent_requests = ?, budget = ?, budget_period = ? WHERE id = ?")) {
        update.setObject(1, quota.requestsPerMinute(), Types.INTEGER);
        update.setObject(2, quota.tokensPerMinute(), Types.BIGINT);
        update.setObject(3, quota.concurrentRequests(), Types.INTEGER);
        update.setBigDecimal(4, quota.budget());
        update.setString(5, quota.budgetPeriod());
        update.setString(6, id);
        return update.executeUpdate() > 0;
      }
    });
  }

  @Override
  public void touch(Map<String, Instant> lastUsed) {
    store.transaction(connection -> {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE modelhost_api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
        for (Map.Entry<String, Instant> entry : lastUsed.entrySet()) {
          update.setLong(1, entry.getValue().toEpochMilli());
          update.setString(2, entry.getKey());
          update.setLong(3, entry.getValue().toEpochMilli());
          update.addBatch();
        }
        update.executeBatch();
      }
      return null;
    });
  }

  @Override
  public byte[] secret(Supplier<byte[]> generate) {
    String stored = readSecret();
    if (stored == null) {
      try {
        store.transaction(connection -> {
          try (PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO modelhost_settings (name, setting_value) VALUES (?, ?)")) {
            insert.setString(1, SECRET);
            insert.setString(2, Base64.getEncoder().encodeToString(generate.get()));
            return insert.executeUpdate();
          }
        });
      } catch (StoreUnavailableException e) {
        // Another server on the same database stored its secret first: that one is used.
      }
      stored = readSecret();
      if (stored == null) {
        throw new IllegalStateException("The key digest secret could not be stored");
      }
    }
    return Base64.getDecoder().decode(stored);
  }

  private @Nullable String readSecret() {
    return store.transaction(connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT setting_value FROM modelhost_settings WHERE name = ?")) {
        select.setString(1, SECRET);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? rows.getString(1) : null;
        }
      }
    });
  }

  private static @Nullable Instant instant(ResultSet rows, int column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static void setInstant(PreparedStatement statement, int index, @Nullable Instant value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value.toEpochMilli());
    }
  }
}
