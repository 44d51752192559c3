package dev.modelhost.hub.internal;

import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one file's content into its blob: under a lock per blob (in this process and, through a
 * lock file, across processes), so that two services pulling the same model download it once;
 * into {@code ETAG.incomplete}, resumed with {@code Range} after a broken or stalled connection;
 * checked against the ETag (SHA-256 for LFS files, the git blob id for the rest) and the size
 * before it becomes the blob. A mismatch deletes the partial file.
 */
final class BlobTransfer {

  private static final Logger log = LoggerFactory.getLogger(BlobTransfer.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-fA-F]{40}");
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
  private static final int BUFFER = 1 << 16;
  private static final long WATCH_PERIOD_MS = 100;

  private final HubApi api;
  private final HubCache cache;
  private final PullTracker tracker;
  private final Cancellation cancellation;
  private final ScheduledExecutorService watchdog;
  private final Duration idleTimeout;
  private final int maxAttempts;

  BlobTransfer(HubApi api, HubCache cache, PullTracker tracker, Cancellation cancellation,
      ScheduledExecutorService watchdog, Duration idleTimeout, int maxAttempts) {
    this.api = api;
    this.cache = cache;
    this.tracker = tracker;
    this.cancellation = cancellation;
    this.watchdog = watchdog;
    this.idleTimeout = idleTimeout;
    this.maxAttempts = maxAttempts;
  }

  /** Makes the blob of {@code file} complete, downloading what is missing. */
  void fetch(HubApi.FileMetadata file, String what) throws IOException {
    Path blob = cache.blob(file.etag());
    ReentrantLock local = LOCKS.computeIfAbsent(blob.toAbsolutePath().normalize(), p -> new ReentrantLock());
    acquire(local, what);
    try {
      Path lockFile = cache.lock(file.etag());
      Files.createDirectories(lockFile.getParent());
      try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockAcross(lockChannel, what)) {
        if (Files.isRegularFile(blob)) {
          tracker.fileDone(Files.size(blob));
          return;
        }
        download(file, blob, what);
      }
    } finally {
      local.unlock();
    }
  }

  private void download(HubApi.FileMetadata file, Path blob, String what) throws IOException {
    Path partial = cache.incomplete(file.etag());
    Files.createDirectories(partial.getParent());
    long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
    if (file.size() >= 0 && have > file.size()) {
      Files.delete(partial);
      have = 0;
    }
    tracker.progressed(have);
    checkSpace(partial.getParent(), file.size() - have, what);
    for (int attempt = 1; ; attempt++) {
      try {
        have = transfer(file, partial, have, what);
        if (file.size() < 0 || have == file.size()) {
          break;
        }
        throw new IOException("the connection closed at byte " + have + " of " + file.size());
      } catch (IOException e) {
        HubApi.checkCancelled(cancellation);
        have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (attempt >= maxAttempts) {
          throw new ModelLoadException("Downloading " + what + " failed after " + attempt + " attempts: "
              + e.getMessage() + ". The " + have + " bytes received are kept; retrying resumes from there.", e);
        }
        log.info("Downloading {} broke at byte {} ({}); resuming.", what, have, e.getMessage());
      }
    }
    verify(file, partial, what);
    Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
    tracker.fileDone(0);
  }

  /** One connection's worth of bytes appended to the partial file; returns its new length. */
  private long transfer(HubApi.FileMetadata file, Path partial, long have, String what) throws IOException {
    HubApi.Content content = api.open(file.location(), have, cancellation, what);
    long offset = have;
    if (!content.partial() || content.start().orElse(-1) != have) {
      // The server sends the file from its start: begin again.
      tracker.progressed(-have);
      offset = 0;
    }
    try (InputStream body = content.body();
        FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      out.truncate(offset);
      out.position(offset);
      Watch watch = new Watch(body, Thread.currentThread());
      ScheduledFuture<?> watching = watchdog.scheduleAtFixedRate(watch, WATCH_PERIOD_MS, WATCH_PERIOD_MS,
          TimeUnit.MILLISECONDS);
      try {
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = body.read(buffer)) >= 0; ) {
          watch.lastRead = System.nanoTime();
          ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
          while (chunk.hasRemaining()) {
            out.write(chunk);
          }
          offset += n;
          tracker.progressed(n);
        }
      } catch (IOException e) {
        HubApi.checkCancelled(cancellation);
        if (watch.stalled) {
          throw new IOException("no data for " + idleTimeout.toMillis() + " ms", e);
        }
        if (isDiskFull(e)) {
          throw new ModelLoadException("The disk holding the model cache is full while downloading " + what
              + " (" + partial.getParent() + "). Free space or set HF_HUB_CACHE to another disk.", e);
        }
        throw e;
      } finally {
        watching.cancel(false);
        watch.stop();
      }
      HubApi.checkCancelled(cancellation);
      return offset;
    }
  }

  /**
   * Ends the read of a body that stalls or whose pull was cancelled: it closes the body and
   * interrupts the reading thread, since a read blocked inside the HTTP client does not return
   * when its stream is closed.
   */
  private final class Watch implements Runnable {
    private final InputStream body;
    private final Thread reader;
    volatile long lastRead = System.nanoTime();
    volatile boolean stalled;
    private boolean reading = true;
    private boolean fired;

    Watch(InputStream body, Thread reader) {
      this.body = body;
      this.reader = reader;
    }

    @Override
    public synchronized void run() {
      boolean idle = System.nanoTime() - lastRead > idleTimeout.toNanos();
      if (!reading || fired) {
        return;
      }
      if (!idle && !cancellation.isCancelled()) {
        // Shows the bytes of a transfer that paused, which the throttled reports may not have shown yet.
        tracker.progressed(0);
        return;
      }
      fired = true;
      stalled = idle;
      try {
        body.close();
      } catch (IOException e) {
        log.debug("Closing a stalled download failed", e);
      }
      reader.interrupt();
    }

    /** Called by the reader when it is done; clears an interrupt this watch caused. */
    synchronized void stop() {
      reading = false;
      if (fired) {
        Thread.interrupted();
      }
    }
  }

  private void verify(HubApi.FileMetadata file, Path partial, String what) throws IOException {
    long size = Files.size(partial);
    String problem = null;
    if (file.size() >= 0 && size != file.size()) {
      problem = "it has " + size + " bytes, the hub said " + file.size();
    } else if (SHA256.matcher(file.etag()).matches()) {
      String actual = digest(partial, "SHA-256", null);
      problem = actual.equalsIgnoreCase(file.etag()) ? null : "its SHA-256 is " + actual + ", the hub said " + file.etag();
    } else if (GIT_SHA1.matcher(file.etag()).matches()) {
      String actual = digest(partial, "SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
      problem = actual.equalsIgnoreCase(file.etag()) ? null : "its git blob id is " + actual + ", the hub said " + file.etag();
    }
    if (problem != null) {
      Files.deleteIfExists(partial);
      throw new ModelLoadException("The download of " + what + " is corrupt: " + problem
          + ". The partial file was deleted; retry, and if it persists a proxy or the hub is damaging the file.");
    }
  }

  private static String digest(Path file, String algorithm, byte @Nullable [] prefix) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
    }
    if (prefix != null) {
      digest.update(prefix);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void checkSpace(Path dir, long needed, String what) throws IOException {
    long free = Files.getFileStore(dir).getUsableSpace();
    if (needed > 0 && free < needed) {
      throw new ModelLoadException("Not enough disk space for " + what + ": it needs " + megabytes(needed)
          + " MB in " + dir + ", " + megabytes(free) + " MB are free. Free space or set HF_HUB_CACHE to another disk.");
    }
  }

  private static boolean isDiskFull(IOException e) {
    String message = e.getMessage();
    return message != null && message.contains("No space left");
  }

  private static long megabytes(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }

  private void acquire(ReentrantLock lock, String what) {
    try {
      while (!lock.tryLock(WATCH_PERIOD_MS, TimeUnit.MILLISECONDS)) {
        HubApi.checkCancelled(cancellation);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("Interrupted while waiting for another download of " + what + ".");
    }
  }

  private FileLock lockAcross(FileChannel channel, String what) throws IOException {
    try {
      for (FileLock lock; ; ) {
        lock = channel.tryLock();
        if (lock != null) {
          return lock;
        }
        HubApi.checkCancelled(cancellation);
        Thread.sleep(WATCH_PERIOD_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("Interrupted while waiting for another process's download of " + what + ".");
    }
  }
}
