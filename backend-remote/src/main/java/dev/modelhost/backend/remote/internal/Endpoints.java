package dev.modelhost.backend.remote.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The runtime's endpoints and the choice of one for an attempt. */
final class Endpoints {

  private final List<Endpoint> all;
  private final AtomicInteger next = new AtomicInteger();

  Endpoints(List<URI> baseUrls, Duration cooldown) {
    this.all = baseUrls.stream().map(url -> new Endpoint(url, cooldown)).toList();
  }

  /** Endpoint of replica {@code index}: the URLs in turn. */
  Endpoint forReplica(int index) {
    return all.get(Math.floorMod(index, all.size()));
  }

  List<Endpoint> all() {
    return all;
  }

  /**
   * The preferred endpoint if it may be used, else another usable one in turn, else (all ejected)
   * the one whose cool-down ends first: trying it beats failing without a try.
   */
  Endpoint choose(Endpoint preferred) {
    long now = System.nanoTime();
    if (preferred.tryUse(now)) {
      return preferred;
    }
    int start = next.getAndIncrement();
    for (int i = 0; i < all.size(); i++) {
      Endpoint candidate = all.get(Math.floorMod(start + i, all.size()));
      if (candidate != preferred && candidate.tryUse(now)) {
        return candidate;
      }
    }
    return all.stream()
        .min(Comparator.comparingLong(e -> e.ejectedUntilNanos() - now))
        .orElseThrow();
  }
}
