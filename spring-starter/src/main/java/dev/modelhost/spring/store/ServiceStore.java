package dev.modelhost.spring.store;

import java.util.List;

/** The services to bring back when the server starts. Implementations are thread-safe. */
public interface ServiceStore {

  /** Every live service, ordered by access path name. */
  List<StoredService> list();

  /** Records a new service or a new specification of a recorded one (same access path name). */
  void save(StoredService service);

  /** Forgets the service with this access path name; nothing happens when there is none. */
  void delete(String accessPath);
}
