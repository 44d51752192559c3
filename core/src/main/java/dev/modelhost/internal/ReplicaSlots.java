package dev.modelhost.internal;

import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The replicas of a pool as places where requests run: each slot's state, capacity and requests in
 * flight, and the choices made from them (where the next request goes, which replicas to drain).
 * Not thread-safe: the replica pool calls it under its lock.
 */
final class ReplicaSlots {

  enum State { STARTING, READY, DRAINING, FAILED }

  /** One replica's place; a failed replica's replacement gets a new slot with the same index. */
  static final class Slot {
    final int index;
    State state = State.STARTING;
    @Nullable Replica replica;
    int capacity = 1;
    int inFlight;
    boolean creating;
    @Nullable ScheduledFuture<?> scheduledStart;
    final Set<Cancellation> running = new HashSet<>();

    Slot(int index) {
      this.index = index;
    }

    boolean active() {
      return state == State.STARTING || state == State.READY;
    }

    /** Marks a created replica ready to take requests. */
    void ready(Replica created) {
      replica = created;
      capacity = Math.max(1, created.capacity());
      state = State.READY;
    }
  }

  private final List<Slot> slots = new ArrayList<>();

  /** Adds a slot for a replica that is ready already. */
  void addReady(Replica replica) {
    Slot slot = new Slot(slots.size());
    slot.ready(replica);
    slots.add(slot);
  }

  /** Adds a starting slot with the lowest free index. */
  Slot addStarting() {
    Slot slot = new Slot(freeIndex());
    slots.add(slot);
    return slot;
  }

  /** Adds a starting slot that replaces a failed one under its index. */
  Slot addReplacement(int index) {
    Slot slot = new Slot(index);
    slots.add(slot);
    return slot;
  }

  boolean remove(Slot slot) {
    return slots.remove(slot);
  }

  List<Slot> all() {
    return List.copyOf(slots);
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  int size() {
    return slots.size();
  }

  long activeCount() {
    return slots.stream().filter(Slot::active).count();
  }

  int readyCount() {
    return (int) slots.stream().filter(s -> s.state == State.READY).count();
  }

  boolean allReady() {
    return slots.stream().allMatch(s -> s.state == State.READY);
  }

  /** Requests the ready replicas run at once, in all. */
  int readyCapacity() {
    return slots.stream().filter(s -> s.state == State.READY).mapToInt(s -> s.capacity).sum();
  }

  /** The ready replica with the fewest requests in flight and room for one more, or null. */
  @Nullable Slot leastLoaded() {
    Slot best = null;
    for (Slot slot : slots) {
      if (slot.state == State.READY && slot.inFlight < slot.capacity && (best == null || slot.inFlight < best.inFlight)) {
        best = slot;
      }
    }
    return best;
  }

  /** The {@code count} active replicas that cost least to lose: starting ones, then the least busy, newest first. */
  List<Slot> cheapestToDrain(int count) {
    return slots.stream()
        .filter(Slot::active)
        .sorted(Comparator.comparing((Slot s) -> s.state != State.STARTING)
            .thenComparingInt(s -> s.inFlight)
            .thenComparing(Comparator.comparingInt((Slot s) -> s.index).reversed()))
        .limit(count)
        .toList();
  }

  /** The pool's work right now. */
  ReplicaPool.Load load(int queued) {
    int busy = 0;
    int inFlight = 0;
    for (Slot slot : slots) {
      busy += slot.inFlight > 0 ? 1 : 0;
      inFlight += slot.inFlight;
    }
    return new ReplicaPool.Load(busy, inFlight, queued);
  }

  void forEachRunning(Consumer<Cancellation> action) {
    slots.forEach(s -> s.running.forEach(action));
  }

  private int freeIndex() {
    Set<Integer> used = new HashSet<>();
    slots.forEach(s -> used.add(s.index));
    int index = 0;
    while (used.contains(index)) {
      index++;
    }
    return index;
  }
}
