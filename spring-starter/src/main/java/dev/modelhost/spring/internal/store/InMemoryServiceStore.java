package dev.modelhost.spring.internal.store;

import dev.modelhost.spring.store.ServiceStore;
import dev.modelhost.spring.store.StoredService;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/** Services kept in memory only: for embedded use and tests. */
public final class InMemoryServiceStore implements ServiceStore {

  private final ConcurrentSkipListMap<String, StoredService> services = new ConcurrentSkipListMap<>();

  @Override
  public List<StoredService> list() {
    return List.copyOf(services.values());
  }

  @Override
  public void save(StoredService service) {
    services.put(service.accessPath(), service);
  }

  @Override
  public void delete(String accessPath) {
    services.remove(accessPath);
  }
}
