package dev.modelhost.spring.internal.store;

import dev.modelhost.exception.BackendException;
import java.sql.SQLException;

/** The database did not answer or refused a statement (HTTP 503: the server cannot keep its promises now). */
public final class StoreUnavailableException extends BackendException {

  StoreUnavailableException(SQLException cause) {
    super("The server's database is unavailable; try again shortly.", 503, "store_unavailable", true, cause);
  }
}
