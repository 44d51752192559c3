package dev.modelhost.spring.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/** HTTP requests in flight per service: waiting for a replica or being answered. */
public final class ActiveRequests {

  private final ConcurrentMap<String, AtomicInteger> active = new ConcurrentHashMap<>();

  /** Counts a request until the returned handle is closed. */
  Handle enter(String service) {
    AtomicInteger counter = active.computeIfAbsent(service, s -> new AtomicInteger());
    counter.incrementAndGet();
    return counter::decrementAndGet;
  }

  public int count(String service) {
    AtomicInteger counter = active.get(service);
    return counter == null ? 0 : counter.get();
  }

  interface Handle extends AutoCloseable {
    @Override
    void close();
  }
}
