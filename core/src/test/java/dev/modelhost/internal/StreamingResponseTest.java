package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.spi.Cancellation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The producer side of a stream never waits: it buffers and says when the reader is behind. */
class StreamingResponseTest {

  private static List<Integer> chunks(int from, int count) {
    return IntStream.range(from, from + count).boxed().toList();
  }

  @Test
  void offeringNeverWaitsAndABufferFullOfUnreadChunksIsABacklog() {
    StreamingResponse<Integer> stream = new StreamingResponse<>("id", new Cancellation());
    stream.offer(chunks(0, StreamingResponse.BUFFER - 1));
    assertThat(stream.backlogged()).isFalse();
    stream.offer(chunks(StreamingResponse.BUFFER - 1, 10));
    assertThat(stream.backlogged()).isTrue();

    List<Integer> read = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      read.add(stream.next());
    }
    assertThat(stream.backlogged()).as("the reader caught up").isFalse();
    stream.end(null);
    stream.forEachRemaining(read::add);
    assertThat(read).isEqualTo(chunks(0, StreamingResponse.BUFFER + 9));
  }

  @Test
  void closingCancelsTheGenerationAndDropsWhatComesAfter() {
    Cancellation cancellation = new Cancellation();
    StreamingResponse<Integer> stream = new StreamingResponse<>("id", cancellation);
    stream.offer(chunks(0, StreamingResponse.BUFFER));
    stream.close();
    assertThat(cancellation.isCancelled()).isTrue();
    stream.offer(chunks(0, 5));
    assertThat(stream.backlogged()).isFalse();
    assertThat(stream.hasNext()).isFalse();
  }
}
