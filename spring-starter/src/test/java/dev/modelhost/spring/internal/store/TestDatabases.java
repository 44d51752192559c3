package dev.modelhost.spring.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * The real databases the store is tested on: H2 in file mode in a temporary folder, and the
 * PostgreSQL server named by {@code MODELHOST_TEST_POSTGRES_URL} (a JDBC URL with user and
 * password), each test in a schema of its own. Without that variable the PostgreSQL tests are
 * skipped on a workstation and fail under CI ({@code CI=true}), which must provide it.
 */
public final class TestDatabases {

  public static final String POSTGRES_URL_VARIABLE = "MODELHOST_TEST_POSTGRES_URL";

  private TestDatabases() {}

  /** The kinds a store test runs on. */
  public enum Kind {
    H2,
    POSTGRES
  }

  /** A JDBC URL of an empty database of {@code kind}; {@code dir} holds H2's files. */
  public static String url(Kind kind, Path dir) {
    return switch (kind) {
      case H2 -> "jdbc:h2:file:" + dir.toAbsolutePath().resolve("modelhost") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
      case POSTGRES -> postgresSchema();
    };
  }

  public static HikariDataSource dataSource(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }

  private static String postgresSchema() {
    String base = System.getenv(POSTGRES_URL_VARIABLE);
    if (base == null || base.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(POSTGRES_URL_VARIABLE + " must name a PostgreSQL database under CI;"
            + " .ci/run starts one");
      }
      Assumptions.abort(POSTGRES_URL_VARIABLE + " is not set: PostgreSQL tests skipped on this workstation");
    }
    String schema = "t_" + HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()));
    try (Connection connection = DriverManager.getConnection(base); Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot reach the PostgreSQL test database at " + POSTGRES_URL_VARIABLE, e);
    }
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  private static byte[] longBytes(long value) {
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (value >>> (8 * i));
    }
    return bytes;
  }
}
