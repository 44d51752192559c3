package dev.modelhost.spring.internal.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The JDBC store on one database (H2 or PostgreSQL): migrates its schema with Flyway
 * ({@code db/migration}) and hands out the service, key and usage stores on it.
 */
public final class JdbcStore {

  private final DataSource dataSource;
  private final JdbcServiceStore services;
  private final JdbcApiKeyStore keys;
  private final JdbcUsageLedger ledger;

  public JdbcStore(DataSource dataSource) {
    this.dataSource = dataSource;
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .table("modelhost_schema_history")
        .baselineOnMigrate(true)
        .load()
        .migrate();
    this.services = new JdbcServiceStore(this);
    this.keys = new JdbcApiKeyStore(this);
    this.ledger = new JdbcUsageLedger(this);
  }

  public JdbcServiceStore services() {
    return services;
  }

  public JdbcApiKeyStore keys() {
    return keys;
  }

  public JdbcUsageLedger ledger() {
    return ledger;
  }

  /** Work on one connection in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} in a transaction; a database error becomes {@link StoreUnavailableException}. */
  <T> T transaction(Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException(e);
    }
  }
}
