package dev.modelhost.spring.internal.store;

import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageQuery;
import dev.modelhost.spring.store.UsageTotal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/** The usage ledger in {@code modelhost_usage}: one row per request id. */
public final class JdbcUsageLedger implements UsageLedger {

  /** The ledger keeps costs to 18 decimal places. */
  static final int COST_SCALE = 18;

  private static final String COLUMNS = "request_id, key_id, owner, service, service_instance_id, endpoint,"
      + " finish_reason, prompt_tokens, completion_tokens, estimated, started_at, ended_at, cost, currency";

  private final JdbcStore store;

  JdbcUsageLedger(JdbcStore store) {
    this.store = store;
  }

  @Override
  public int append(List<LedgerRecord> records) {
    if (records.isEmpty()) {
      return 0;
    }
    return store.transaction(connection -> {
      Set<String> known = knownIds(connection, records);
      Set<String> added = new HashSet<>();
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO modelhost_usage (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (LedgerRecord record : records) {
          if (known.contains(record.requestId()) || !added.add(record.requestId())) {
            continue;
          }
          insert.setString(1, record.requestId());
          insert.setString(2, record.keyId());
          insert.setString(3, record.owner());
          insert.setString(4, record.service());
          insert.setString(5, record.serviceInstanceId());
          insert.setString(6, record.endpoint());
          insert.setString(7, record.finishReason());
          insert.setLong(8, record.promptTokens());
          insert.setLong(9, record.completionTokens());
          insert.setBoolean(10, record.estimated());
          insert.setLong(11, record.startedAt().toEpochMilli());
          insert.setLong(12, record.endedAt().toEpochMilli());
          insert.setBigDecimal(13, record.cost().setScale(COST_SCALE, RoundingMode.HALF_EVEN));
          insert.setString(14, record.currency());
          insert.addBatch();
        }
        if (!added.isEmpty()) {
          insert.executeBatch();
        }
      }
      return added.size();
    });
  }

  private static Set<String> knownIds(Connection connection, List<LedgerRecord> records) throws SQLException {
    Set<String> known = new HashSet<>();
    StringJoiner marks = new StringJoiner(", ", "(", ")");
    records.forEach(record -> marks.add("?"));
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT request_id FROM modelhost_usage WHERE request_id IN " + marks)) {
      for (int i = 0; i < records.size(); i++) {
        select.setString(i + 1, records.get(i).requestId());
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          known.add(rows.getString(1));
        }
      }
    }
    return known;
  }

  @Override
  public List<UsageTotal> totals(UsageQuery query, Set<GroupBy> groupBy) {
    List<String> dimensions = new ArrayList<>();
    if (groupBy.contains(GroupBy.OWNER)) {
      dimensions.add("owner");
    }
    if (groupBy.contains(GroupBy.KEY)) {
      dimensions.add("key_id");
    }
    if (groupBy.contains(GroupBy.SERVICE)) {
      dimensions.add("service");
    }
    dimensions.add("currency");
    String keys = String.join(", ", dimensions);
    List<Object> parameters = new ArrayList<>();
    String sql = "SELECT " + keys + ", COUNT(*),"
        + " SUM(CASE WHEN finish_reason = '" + UsageTotals.FAILED + "' THEN 1 ELSE 0 END),"
        + " SUM(CASE WHEN finish_reason = '" + UsageTotals.CANCELLED + "' THEN 1 ELSE 0 END),"
        + " SUM(prompt_tokens), SUM(completion_tokens), SUM(cost)"
        + " FROM modelhost_usage" + where(query, parameters) + " GROUP BY " + keys;
    List<UsageTotal> totals = store.transaction(connection -> {
      List<UsageTotal> rows = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        bind(select, parameters);
        try (ResultSet result = select.executeQuery()) {
          while (result.next()) {
            int column = 1;
            String owner = groupBy.contains(GroupBy.OWNER) ? result.getString(column++) : null;
            String keyId = groupBy.contains(GroupBy.KEY) ? result.getString(column++) : null;
            String service = groupBy.contains(GroupBy.SERVICE) ? result.getString(column++) : null;
            String currency = result.getString(column++);
            rows.add(new UsageTotal(owner, keyId, service, currency, result.getLong(column), result.getLong(column + 1),
                result.getLong(column + 2), result.getLong(column + 3), result.getLong(column + 4),
                result.getBigDecimal(column + 5).stripTrailingZeros()));
          }
        }
      }
      return rows;
    });
    return totals.stream().sorted(UsageTotals.ORDER).toList();
  }

  @Override
  public List<LedgerRecord> records(UsageQuery query, @Nullable String after, int limit) {
    List<Object> parameters = new ArrayList<>();
    String where = where(query, parameters);
    if (after != null) {
      where += (where.isEmpty() ? " WHERE" : " AND")
          + " seq > COALESCE((SELECT seq FROM modelhost_usage WHERE request_id = ?), 0)";
      parameters.add(after);
    }
    String sql = "SELECT " + COLUMNS + " FROM modelhost_usage" + where + " ORDER BY seq LIMIT " + limit;
    return store.transaction(connection -> {
      List<LedgerRecord> records = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        bind(select, parameters);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            records.add(new LedgerRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), rows.getString(7), rows.getLong(8), rows.getLong(9),
                rows.getBoolean(10), Instant.ofEpochMilli(rows.getLong(11)), Instant.ofEpochMilli(rows.getLong(12)),
                rows.getBigDecimal(13).stripTrailingZeros(), rows.getString(14)));
          }
        }
      }
      return records;
    });
  }

  private static String where(UsageQuery query, List<Object> parameters) {
    List<String> conditions = new ArrayList<>();
    if (query.from() != null) {
      conditions.add("ended_at >= ?");
      parameters.add(query.from().toEpochMilli());
    }
    if (query.to() != null) {
      conditions.add("ended_at < ?");
      parameters.add(query.to().toEpochMilli());
    }
    if (query.owner() != null) {
      conditions.add("owner = ?");
      parameters.add(query.owner());
    }
    if (query.keyId() != null) {
      conditions.add("key_id = ?");
      parameters.add(query.keyId());
    }
    if (query.service() != null) {
      conditions.add("service = ?");
      parameters.add(query.service());
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
    for (int i = 0; i < parameters.size(); i++) {
      statement.setObject(i + 1, parameters.get(i));
    }
  }
}
