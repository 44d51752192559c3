package dev.modelhost.engine.internal;

import dev.modelhost.engine.Decoder;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's scheduler (continuous batching): a thread that steps every active sequence of
 * every request in one {@link Decoder#step} call per step. Requests join at the next step boundary
 * and leave as soon as they end, without waiting for the others.
 *
 * <ul>
 *   <li>At most {@code maxBatch} sequences are active; the others wait, first come first served.
 *   <li>With a {@code kv-cache-tokens} budget, a waiting sequence joins only when what its KV cache
 *       can come to hold fits in what the active ones leave ({@link KvCacheBudget}).
 *   <li>Prompts are fed in chunks: a step feeds at most {@code prefillChunk} prompt tokens in all,
 *       beside one token for every sequence that is generating, so running streams keep producing
 *       tokens while a long prompt is read.
 *   <li>A sequence whose reader is behind ({@link dev.modelhost.spi.GenerationListener#backlogged()})
 *       sits out steps, keeping its cache, until the reader catches up; the others go on.
 *   <li>A failure while sampling or emitting ends that sequence's request only; a failed decoder
 *       call ends the requests that were in it.
 * </ul>
 *
 * <p>The thread starts with the first request and ends after {@link #IDLE_LINGER_NANOS} without
 * work, so an idle or forgotten replica holds no thread. Sequences and their caches are touched only
 * by the loop thread.
 */
final class StepLoop {

  private static final Logger log = LoggerFactory.getLogger(StepLoop.class);
  /** How long the thread waits for new work before it ends. */
  static final long IDLE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** How often a loop whose every sequence waits for its reader looks again. */
  private static final long BACKLOG_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Decoder decoder;
  private final int maxBatch;
  private final int prefillChunk;
  private final KvCacheBudget kvBudget;
  private final String threadName;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final ArrayDeque<Generation> arrivals = new ArrayDeque<>();
  private boolean signalled;
  private boolean running;
  private boolean closed;

  private final List<Sequence> active = new ArrayList<>();
  private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();

  StepLoop(Decoder decoder, BatchOptions batching, String threadName) {
    this.decoder = decoder;
    this.maxBatch = batching.maxBatch();
    this.prefillChunk = batching.prefillChunk();
    this.kvBudget = new KvCacheBudget(batching.kvCacheTokens());
    this.threadName = threadName;
  }

  /**
   * Hands a request's sequences to the loop; they join at the next step.
   *
   * @throws IllegalStateException when the loop was closed
   */
  void submit(Generation generation) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("The replica was closed.");
      }
      arrivals.addLast(generation);
      signalled = true;
      wake.signal();
      if (!running) {
        running = true;
        Thread thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Makes the loop look at its requests again (one was cancelled, or a reader caught up). */
  void wake() {
    lock.lock();
    try {
      signalled = true;
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Takes no more requests; those in the loop end with a failure at the next step. */
  void close() {
    lock.lock();
    try {
      closed = true;
      signalled = true;
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      while (admit()) {
        sweep();
        fill();
        List<Sequence> batch = batch();
        if (batch.isEmpty()) {
          idle();
        } else {
          step(batch);
        }
      }
    } catch (RuntimeException | Error e) {
      // Only a fault in this class gets here: the replica is broken. Its requests end rather than
      // wait forever, and later ones are refused, so that the pool replaces the replica.
      log.error("The step loop {} failed", threadName, e);
      close();
      admit();
      sweep();
      lock.lock();
      try {
        running = false;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Takes the requests that arrived; false (and the thread ends) when there is nothing left to do. */
  private boolean admit() {
    lock.lock();
    try {
      signalled = false;
      while (!arrivals.isEmpty()) {
        Generation generation = arrivals.pollFirst();
        for (Sequence sequence : generation.unfinished()) {
          generation.hold();
          waiting.addLast(sequence);
        }
      }
      if (closed) {
        BackendException failure = new BackendException("The replica was closed while the request ran.", null);
        held().forEach(s -> s.generation().fail(failure));
      }
      if (active.isEmpty() && waiting.isEmpty() && (closed || !signalled)) {
        running = false;
        return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for work: briefly while sequences wait for their readers, else until a request arrives
   * (when none does, {@link #admit()} then ends the thread).
   */
  private void idle() {
    boolean empty = active.isEmpty() && waiting.isEmpty();
    lock.lock();
    try {
      long left = empty ? IDLE_LINGER_NANOS : BACKLOG_POLL_NANOS;
      while (!signalled && !closed && left > 0) {
        left = wake.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private List<Sequence> held() {
    List<Sequence> all = new ArrayList<>(active);
    all.addAll(waiting);
    return all;
  }

  /**
   * Closes the sequences that finished or whose request ended, and lets their requests go; active
   * ones give back their KV-cache reservation.
   */
  private void sweep() {
    sweep(active, kvBudget::release);
    sweep(waiting, sequence -> { });
  }

  private static void sweep(Iterable<Sequence> sequences, Consumer<Sequence> leave) {
    for (Iterator<Sequence> it = sequences.iterator(); it.hasNext(); ) {
      Sequence sequence = it.next();
      Generation generation = sequence.generation();
      if (sequence.finished() || generation.ended()) {
        it.remove();
        leave.accept(sequence);
        sequence.close();
        generation.release(sequence.finished());
      }
    }
  }

  /** Moves waiting sequences to the active ones, in order, while the batch and the KV budget have room. */
  private void fill() {
    while (active.size() < maxBatch && !waiting.isEmpty() && kvBudget.tryReserve(waiting.peekFirst())) {
      active.add(waiting.pollFirst());
    }
  }

  /** The sequences to step now: every generating one whose reader keeps up, and prompt chunks within the budget. */
  private List<Sequence> batch() {
    List<Sequence> batch = new ArrayList<>(active.size());
    for (Sequence sequence : active) {
      if (!sequence.prefilling() && !backlogged(sequence)) {
        batch.add(sequence);
      }
    }
    int budget = prefillChunk;
    for (Sequence sequence : active) {
      if (budget > 0 && sequence.prefilling()) {
        batch.add(sequence);
        budget -= Math.min(budget, sequence.promptLeft());
      }
    }
    return batch;
  }

  private boolean backlogged(Sequence sequence) {
    try {
      return sequence.generation().listener().backlogged();
    } catch (RuntimeException e) {
      sequence.generation().fail(failure(e));
      return true;
    }
  }

  private void step(List<Sequence> batch) {
    List<Decoder.Step> steps = new ArrayList<>(batch.size());
    int budget = prefillChunk;
    for (Sequence sequence : batch) {
      boolean prompt = sequence.prefilling();
      int[] tokens = sequence.nextInput(budget);
      if (prompt) {
        budget -= tokens.length;
      }
      steps.add(new Decoder.Step(sequence.state(), tokens));
    }
    float[][] logits;
    try {
      logits = decoder.step(steps);
    } catch (RuntimeException e) {
      ModelhostException failure = e instanceof ModelhostException m ? m
          : new BackendException("The model failed during a decoding step: " + e.getMessage(), e);
      for (Sequence sequence : batch) {
        sequence.generation().fail(failure);
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Sequence sequence = batch.get(i);
      if (sequence.prefilling() || sequence.generation().ended()) {
        continue;
      }
      try {
        sequence.onLogits(logits[i]);
      } catch (RuntimeException e) {
        sequence.generation().fail(failure(e));
      }
    }
  }

  /** What a request that failed in sampling or in its listener reports; the batch goes on. */
  private ModelhostException failure(RuntimeException e) {
    if (e instanceof ModelhostException m) {
      return m;
    }
    log.warn("A request failed in step loop {}", threadName, e);
    return new BackendException("Generating the answer failed.", e);
  }
}
