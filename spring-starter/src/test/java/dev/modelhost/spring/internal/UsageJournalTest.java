package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spring.store.LedgerRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

  @TempDir Path dir;

  @Test
  void recordsTheLedgerDidNotGetAreFoundAgainExactlyAsWritten() throws IOException {
    List<LedgerRecord> written = List.of(record("r1", null, new BigDecimal("0.000053")),
        record("r2", "stop", new BigDecimal("0E-18")), record("r3", "cancelled", new BigDecimal("12.5")));
    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      assertThat(journal.recovered()).isEmpty();
      written.forEach(journal::append);
    }

    try (UsageJournal reopened = UsageJournal.open(dir, 1 << 20)) {
      assertThat(reopened.recovered()).extracting(UsageJournal.Recovered::record).containsExactlyElementsOf(written);
    }
  }

  @Test
  void aSegmentIsEmptiedOnceTheLedgerHoldsEveryRecordInIt() throws IOException {
    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      UsageJournal.Segment first = journal.append(record("r1", "stop", BigDecimal.ONE));
      UsageJournal.Segment second = journal.append(record("r2", "stop", BigDecimal.ONE));
      assertThat(second).isSameAs(first);
      journal.written(first, 1);
      assertThat(journalBytes()).isPositive();

      journal.written(second, 1);

      assertThat(journalBytes()).isZero();
    }
    try (UsageJournal reopened = UsageJournal.open(dir, 1 << 20)) {
      assertThat(reopened.recovered()).isEmpty();
    }
  }

  @Test
  void fullSegmentsAreDeletedWhenWrittenAndTheOthersKept() throws IOException {
    List<UsageJournal.Segment> segments = new ArrayList<>();
    List<String> keptIds = new ArrayList<>();
    try (UsageJournal journal = UsageJournal.open(dir, 600)) {
      for (int i = 0; i < 6; i++) {
        segments.add(journal.append(record("r" + i, "stop", BigDecimal.ONE)));
      }
      long files = segments.stream().distinct().count();
      assertThat(journalFiles()).hasSize((int) files).hasSizeGreaterThan(2);
      UsageJournal.Segment first = segments.get(0);
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i) != first) {
          keptIds.add("r" + i);
        }
      }

      journal.written(first, 6 - keptIds.size());

      assertThat(journalFiles()).hasSize((int) files - 1);
    }
    try (UsageJournal reopened = UsageJournal.open(dir, 600)) {
      assertThat(reopened.recovered()).extracting(left -> left.record().requestId()).containsExactlyElementsOf(keptIds);
      // Writing the recovered records empties the folder.
      reopened.recovered().forEach(left -> reopened.written(left.segment(), 1));
      assertThat(journalFiles()).isEmpty();
    }
  }

  @Test
  void aLineCutOffByACrashAndAnUnreadableLineAreSkipped() throws IOException {
    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      journal.append(record("r1", "stop", BigDecimal.ONE));
    }
    Path file = journalFiles().get(0);
    Files.writeString(file, "{not json}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      assertThat(journal.recovered()).hasSize(1);
      journal.append(record("r2", "stop", BigDecimal.ONE));
    }
    Path last = journalFiles().get(journalFiles().size() - 1);
    Files.writeString(last, "{\"requestId\":\"r3\",\"keyId\"", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      assertThat(journal.recovered()).extracting(left -> left.record().requestId()).containsExactly("r1", "r2");
    }
  }

  @Test
  void aJournalServesOneProcessAtATime() throws IOException {
    try (UsageJournal journal = UsageJournal.open(dir, 1 << 20)) {
      // The lock is the operating system's, held per process: a second channel of this process sees it too.
      assertThatThrownBy(() -> UsageJournal.open(dir, 1 << 20)).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("in use");
    }
  }

  private long journalBytes() throws IOException {
    long bytes = 0;
    for (Path file : journalFiles()) {
      bytes += Files.size(file);
    }
    return bytes;
  }

  private List<Path> journalFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  static LedgerRecord record(String id, String finishReason, BigDecimal cost) {
    return new LedgerRecord(id, "key-1", "acme", "acme/chat", "svc-1", "chat.completions", finishReason, 3, 5, false,
        Instant.parse("2030-01-01T00:00:00.123456789Z"), Instant.parse("2030-01-01T00:00:02Z"), cost, "EUR");
  }
}
