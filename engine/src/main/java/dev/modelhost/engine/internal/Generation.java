package dev.modelhost.engine.internal;

import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.GenerationListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * One request's membership of a {@link StepLoop}: its listener, its cancellation, and how many of
 * its sequences the loop still holds. The request's thread waits in {@link #await()} while the loop
 * thread steps the sequences; the loop ends the generation once it has closed the last one.
 */
public final class Generation {

  private final GenerationListener listener;
  private final Cancellation cancellation;
  private final List<Sequence> sequences = new ArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile @Nullable ModelhostException failure;
  /** Sequences the loop holds; touched only by the loop thread. */
  private int held;

  public Generation(GenerationListener listener, Cancellation cancellation) {
    this.listener = listener;
    this.cancellation = cancellation;
  }

  /** Adds a sequence to be stepped; before the generation is submitted. */
  void add(Sequence sequence) {
    sequences.add(sequence);
  }

  /** The sequences still to generate. */
  List<Sequence> unfinished() {
    return sequences.stream().filter(s -> !s.finished()).toList();
  }

  /** Every sequence, finished or not. */
  List<Sequence> sequences() {
    return sequences;
  }

  GenerationListener listener() {
    return listener;
  }

  Cancellation cancellation() {
    return cancellation;
  }

  /** Whether the request's remaining sequences should leave the batch: it failed or was cancelled. */
  boolean ended() {
    return failure != null || cancellation.isCancelled();
  }

  /** Ends the request with {@code error} (the first failure wins); its sequences leave at the next step. */
  void fail(ModelhostException error) {
    if (failure == null) {
      failure = error;
    }
  }

  void hold() {
    held++;
  }

  /** The loop closed one of this request's sequences; after the last one the request's thread resumes. */
  void release(boolean finished) {
    if (!finished && failure == null) {
      failure = new RequestCancelledException("The request was cancelled.");
    }
    if (--held == 0) {
      done.countDown();
    }
  }

  /**
   * Waits until the loop has let go of every sequence. An interrupt cancels the request (the loop
   * lets go within one step) and is kept for the caller.
   *
   * @throws ModelhostException the request's failure, or its cancellation
   */
  void await() {
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        cancellation.cancel();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    ModelhostException error = failure;
    if (error != null) {
      throw error;
    }
  }
}
