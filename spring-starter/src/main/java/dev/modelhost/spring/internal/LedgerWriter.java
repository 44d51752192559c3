package dev.modelhost.spring.internal;

import dev.modelhost.exception.OverloadedException;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every usage record to the {@link UsageLedger} off the request path: the request's thread
 * only queues it (after appending it to the {@link UsageJournal}, when there is one); one writer
 * thread appends batches. When the ledger fails, the batch is kept and
 * tried again with back-off (the ledger skips request ids it holds, so a retry never counts twice),
 * records keep queuing, and once {@code bufferCapacity} records wait, {@link #checkAccepting()}
 * refuses new requests with 503 until the ledger catches up: nothing is served unbilled beyond the
 * buffer. {@link #close()} writes what is queued before it returns.
 *
 * <p>The HTTP layer finishes a response (the JSON body, or a stream's {@code data: [DONE]}) only
 * once {@link #awaitWritten(String, Duration)} says its record is kept: in the journal, or without
 * one committed to the ledger. So a response the client received whole is on the ledger, or in the
 * journal that the next start writes to the ledger, unless the database was failing at the time and
 * there is no journal (then the response waits at most the acknowledgement timeout and its record
 * waits in the buffer).
 */
public final class LedgerWriter implements UsageSink, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LedgerWriter.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  /**
   * How long the writer gathers journaled records before it writes them: no response waits for
   * them, and one commit for many records costs the database, and the cores the requests share
   * with it, a fraction of one commit each.
   */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(50);

  private final UsageLedger ledger;
  private final Function<String, ServiceCatalog.Booking> bookings;
  private final int bufferCapacity;
  private final int batchSize;
  private final Duration closeTimeout;
  private final @Nullable UsageJournal journal;
  private final Duration linger;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<Void>> unwritten = new ConcurrentHashMap<>();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<Consumer<LedgerRecord>> listeners = new CopyOnWriteArrayList<>();
  private final Thread writer;
  private final Object flushed = new Object();
  private final Object flushRequest = new Object();
  private boolean flushRequested;
  private volatile boolean closing;
  private volatile @Nullable String lastError;
  private volatile int inBatch;
  private volatile boolean journalFailing;

  /** A queued record and the journal segment that keeps it, or null when its response waits for the ledger. */
  private record Pending(LedgerRecord record, UsageJournal.@Nullable Segment segment) {}

  /**
   * @param bookings the service instance and billing method of an access path name, now
   * @param bufferCapacity records that may wait for the ledger before new requests are refused
   * @param batchSize the most records appended in one transaction
   * @param closeTimeout how long {@link #close()} keeps trying to write what is queued
   */
  public LedgerWriter(UsageLedger ledger, Function<String, ServiceCatalog.Booking> bookings, int bufferCapacity, int batchSize,
      Duration closeTimeout) {
    this(ledger, bookings, bufferCapacity, batchSize, closeTimeout, null, Duration.ZERO);
  }

  /**
   * @param journal where records are kept until the ledger holds them, so that responses need not
   *     wait for the database; its records of an earlier run are written first. Closed by {@link #close()}.
   * @param linger how long the writer gathers journaled records before it writes them, unless a
   *     reader waits for them ({@link #DEFAULT_LINGER})
   */
  public LedgerWriter(UsageLedger ledger, Function<String, ServiceCatalog.Booking> bookings, int bufferCapacity, int batchSize,
      Duration closeTimeout, @Nullable UsageJournal journal, Duration linger) {
    if (bufferCapacity < 1 || batchSize < 1) {
      throw new IllegalArgumentException("bufferCapacity and batchSize must be positive");
    }
    this.ledger = ledger;
    this.bookings = bookings;
    this.bufferCapacity = bufferCapacity;
    this.batchSize = batchSize;
    this.closeTimeout = closeTimeout;
    this.journal = journal;
    this.linger = linger;
    if (journal != null) {
      writeRecovered(journal);
    }
    this.writer = new Thread(this::run, "modelhost-ledger-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Writes the records an earlier run left in the journal before this one serves, so that what is
   * read from the ledger (a key's spend) includes them; queued instead while the ledger fails.
   */
  private void writeRecovered(UsageJournal journal) {
    List<UsageJournal.Recovered> recovered = journal.recovered();
    if (recovered.isEmpty()) {
      return;
    }
    try {
      ledger.append(recovered.stream().map(UsageJournal.Recovered::record).toList());
      recovered.forEach(left -> journal.written(left.segment(), 1));
      written.addAndGet(recovered.size());
    } catch (RuntimeException e) {
      log.error("Could not write the {} usage records of an earlier run to the ledger; they wait in the queue: {}",
          recovered.size(), e.toString());
      recovered.forEach(left -> queue.add(new Pending(left.record(), left.segment())));
    }
  }

  /** Called with every record as it is queued, on the request's thread (e.g. to settle quotas). */
  public void addListener(Consumer<LedgerRecord> listener) {
    listeners.add(listener);
  }

  @Override
  public void record(UsageRecord usage) {
    LedgerRecord record = toLedgerRecord(usage);
    UsageJournal.Segment segment = journal(record);
    if (segment == null) {
      unwritten.put(record.requestId(), new CompletableFuture<>());
    }
    queue.add(new Pending(record, segment));
    if (segment == null && journal != null) {
      // The journal failed, so this response waits for the ledger: the writer must not gather first.
      requestFlush();
    }
    for (Consumer<LedgerRecord> listener : listeners) {
      listener.accept(record);
    }
  }

  /** The segment that now keeps {@code record}, or null without a journal or when it cannot be written. */
  private UsageJournal.@Nullable Segment journal(LedgerRecord record) {
    if (journal == null) {
      return null;
    }
    try {
      UsageJournal.Segment segment = journal.append(record);
      journalFailing = false;
      return segment;
    } catch (RuntimeException e) {
      if (!journalFailing) {
        log.error("Could not write a usage record to the journal; responses wait for the database until it works: {}",
            e.toString());
      }
      journalFailing = true;
      return null;
    }
  }

  private LedgerRecord toLedgerRecord(UsageRecord usage) {
    ServiceCatalog.Booking booking = bookings.apply(usage.service());
    String finishReason = switch (usage.outcome()) {
      case COMPLETED -> usage.finishReason();
      case CANCELLED -> "cancelled";
      case FAILED -> "error";
    };
    int slash = usage.service().indexOf('/');
    String owner = slash < 0 ? usage.service() : usage.service().substring(0, slash);
    return new LedgerRecord(usage.requestId(), usage.caller(), owner, usage.service(), booking.instanceId(),
        usage.endpoint(), finishReason, usage.promptTokens(), usage.completionTokens(), usage.estimated(),
        usage.startedAt(), usage.startedAt().plus(usage.totalTime()),
        booking.billing().cost(usage.promptTokens(), usage.completionTokens()), booking.billing().currency());
  }

  /** Refuses a new request with 503 while the buffer is full (the ledger is behind or down). */
  public void checkAccepting() {
    if (closing || pending() >= bufferCapacity) {
      throw new OverloadedException(
          "Usage cannot be recorded right now, so no new requests are accepted; try again shortly.",
          Duration.ofSeconds(5));
    }
  }

  /** Records waiting to be written, the batch being written included. */
  public int pending() {
    return queue.size() + inBatch;
  }

  /** Records written to the ledger since start. */
  public long written() {
    return written.get();
  }

  /** Failed attempts to write a batch since start. */
  public long failures() {
    return failures.get();
  }

  /** The last write's error, or null when the last write succeeded. */
  public @Nullable String lastError() {
    return lastError;
  }

  /**
   * Waits until the record of {@code requestId}, if one was queued, is committed to the ledger;
   * false when it is not after {@code timeout} (the ledger is failing).
   */
  public boolean awaitWritten(String requestId, Duration timeout) {
    CompletableFuture<Void> written = unwritten.get(requestId);
    if (written == null) {
      return true;
    }
    try {
      written.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether every queued record has been written, waiting at most {@code timeout}. */
  public boolean awaitWritten(Duration timeout) throws InterruptedException {
    requestFlush();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (flushed) {
      while (pending() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(flushed, left);
      }
    }
    return true;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(batchSize);
    long backoffMillis = 50;
    while (true) {
      try {
        if (batch.isEmpty()) {
          Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing) {
              return;
            }
            continue;
          }
          inBatch = 1;
          batch.add(first);
          if (first.segment() != null) {
            lingerForMore();
          }
          queue.drainTo(batch, batchSize - 1);
          inBatch = batch.size();
        }
        ledger.append(batch.stream().map(Pending::record).toList());
        written.addAndGet(batch.size());
        for (Pending pending : batch) {
          if (pending.segment() != null && journal != null) {
            journal.written(pending.segment(), 1);
          }
          CompletableFuture<Void> done = unwritten.remove(pending.record().requestId());
          if (done != null) {
            done.complete(null);
          }
        }
        batch.clear();
        inBatch = 0;
        lastError = null;
        backoffMillis = 50;
        synchronized (flushed) {
          flushed.notifyAll();
        }
      } catch (InterruptedException e) {
        if (batch.isEmpty() && queue.isEmpty()) {
          return;
        }
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        if (lastError == null) {
          log.error("Could not write {} usage records to the ledger; keeping them and trying again: {}", batch.size(),
              e.toString());
        }
        lastError = e.toString();
        if (closing && Thread.currentThread().isInterrupted()) {
          return;
        }
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  /** Waits up to the linger time for a batch's worth of records, unless a write is wanted now. */
  private void lingerForMore() throws InterruptedException {
    long deadline = System.nanoTime() + linger.toNanos();
    synchronized (flushRequest) {
      long left;
      while (!flushRequested && !closing && queue.size() < batchSize - 1
          && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(flushRequest, left);
      }
      flushRequested = false;
    }
  }

  /** Ends the writer's wait for more records: a response or a reader waits for the ledger. */
  private void requestFlush() {
    synchronized (flushRequest) {
      flushRequested = true;
      flushRequest.notifyAll();
    }
  }

  /**
   * Stops taking requests and writes what is queued, for at most the close timeout; what is left
   * stays in the journal for the next start, when there is one.
   */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    requestFlush();
    writer.join(closeTimeout.toMillis());
    if (writer.isAlive()) {
      writer.interrupt();
      log.error("{} usage records could not be written to the ledger before shutdown{}; see the log above",
          pending(), journal != null ? " (they stay in the usage journal for the next start)" : "");
    }
    if (journal != null) {
      try {
        journal.close();
      } catch (IOException e) {
        log.warn("Could not close the usage journal: {}", e.toString());
      }
    }
  }
}
