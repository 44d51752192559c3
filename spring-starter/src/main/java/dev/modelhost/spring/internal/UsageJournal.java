package dev.modelhost.spring.internal;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spring.store.LedgerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Usage records on their way to the ledger, as lines of JSON in files of a folder of this process's
 * own. A record is appended before its response is sent and stays until the ledger holds it, so a
 * response is acknowledged after a file write of its record (microseconds) instead of a database
 * commit, and a record the ledger did not get before a crash is found again at the next start.
 *
 * <p>The write reaches the operating system before {@link #append} returns, as H2's commits with
 * {@code WRITE_DELAY=0} do: it survives a killed process, not a lost machine. Records are kept in
 * segments; a segment's file is emptied (the one being written) or deleted (a full one) as soon as
 * the ledger holds every record in it. A line cut off by a crash while it was written belonged to
 * a response that was never sent; it is skipped.
 */
public final class UsageJournal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UsageJournal.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PREFIX = "usage-";
  private static final String SUFFIX = ".jsonl";

  private final Path dir;
  private final long segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<Recovered> recovered = new ArrayList<>();
  private final Set<Segment> open = new HashSet<>();
  private long nextNumber;
  private Segment active;
  private boolean closed;

  /** A record found at start that the ledger may not hold yet, and the segment that keeps it. */
  public record Recovered(LedgerRecord record, Segment segment) {}

  /** One file of the journal; the records in it that the ledger does not hold yet. */
  public static final class Segment {
    private final Path file;
    private final FileChannel channel;
    private int outstanding;
    private long size;
    private boolean full;

    private Segment(Path file, FileChannel channel, long size) {
      this.file = file;
      this.channel = channel;
      this.size = size;
    }
  }

  private UsageJournal(Path dir, long segmentBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens the journal in {@code dir} (made if missing) for this process alone, with the records of
   * an earlier run in {@link #recovered()}; a segment is closed to new records once it holds
   * {@code segmentBytes}.
   */
  public static UsageJournal open(Path dir, long segmentBytes) {
    try {
      Files.createDirectories(dir);
      FileChannel lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        lockChannel.close();
        throw new ConfigurationException("The usage journal in " + dir + " is in use by another process.",
            "modelhost.store.ledger-journal-dir");
      }
      UsageJournal journal = new UsageJournal(dir, segmentBytes, lockChannel, lock);
      journal.recover();
      return journal;
    } catch (IOException e) {
      throw new ConfigurationException("Cannot open the usage journal in " + dir + ": " + e.getMessage(),
          "modelhost.store.ledger-journal-dir");
    }
  }

  /** The records of earlier runs, in the order they were written; each is counted until {@link #written}. */
  public List<Recovered> recovered() {
    return List.copyOf(recovered);
  }

  /** Writes {@code record} to the current segment and returns it, to be passed to {@link #written} later. */
  public synchronized Segment append(LedgerRecord record) {
    if (closed) {
      throw new IllegalStateException("The usage journal in " + dir + " is closed.");
    }
    byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (active == null || active.full) {
        active = create();
      }
      ByteBuffer buffer = ByteBuffer.wrap(line);
      long position = active.size;
      while (buffer.hasRemaining()) {
        position += active.channel.write(buffer, position);
      }
      active.size = position;
      active.outstanding++;
      active.full = active.size >= segmentBytes;
      return active;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot append to the usage journal in " + dir, e);
    }
  }

  /** The ledger now holds {@code count} more records of {@code segment}. */
  public synchronized void written(Segment segment, int count) {
    segment.outstanding -= count;
    if (segment.outstanding > 0 || !open.contains(segment)) {
      return;
    }
    try {
      if (segment == active && !segment.full) {
        segment.channel.truncate(0);
        segment.size = 0;
      } else {
        open.remove(segment);
        segment.channel.close();
        Files.deleteIfExists(segment.file);
        if (segment == active) {
          active = null;
        }
      }
    } catch (IOException e) {
      // The records stay in the file; the ledger skips them when they are read again at the next start.
      log.warn("Could not clear the usage journal file {}: {}", segment.file, e.toString());
    }
  }

  private Segment create() throws IOException {
    Path file = dir.resolve(String.format("%s%012d%s", PREFIX, nextNumber++, SUFFIX));
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    Segment segment = new Segment(file, channel, 0);
    open.add(segment);
    return segment;
  }

  private void recover() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path file : entries) {
        String name = file.getFileName().toString();
        try {
          files.put(Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length())), file);
        } catch (NumberFormatException e) {
          log.warn("Ignoring {} in the usage journal: not a journal file", file);
        }
      }
    }
    for (var entry : files.entrySet()) {
      nextNumber = entry.getKey() + 1;
      List<LedgerRecord> records = read(entry.getValue());
      if (records.isEmpty()) {
        Files.delete(entry.getValue());
        continue;
      }
      FileChannel channel = FileChannel.open(entry.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE);
      Segment segment = new Segment(entry.getValue(), channel, channel.size());
      segment.full = true;
      segment.outstanding = records.size();
      open.add(segment);
      records.forEach(record -> recovered.add(new Recovered(record, segment)));
    }
    if (!recovered.isEmpty()) {
      log.info("Found {} usage records of an earlier run in {}; they go to the ledger now", recovered.size(), dir);
    }
  }

  private static List<LedgerRecord> read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<LedgerRecord> records = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      String line = text.substring(start, end);
      start = end + 1;
      if (line.isBlank()) {
        continue;
      }
      try {
        records.add(JSON.readValue(line, LedgerRecord.class));
      } catch (JacksonException e) {
        log.error("Skipping an unreadable line of the usage journal file {}: {}", file, e.getOriginalMessage());
      }
    }
    // What follows the last newline is a line cut off by a crash: its response was never sent.
    return records;
  }

  /** Closes the files; records the ledger does not hold yet stay for the next start. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    for (Segment segment : open) {
      segment.channel.close();
      if (segment.outstanding <= 0 && segment.size == 0) {
        Files.deleteIfExists(segment.file);
      }
    }
    open.clear();
    lock.release();
    lockChannel.close();
  }
}
