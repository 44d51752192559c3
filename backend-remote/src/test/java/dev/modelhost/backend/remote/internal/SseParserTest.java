package dev.modelhost.backend.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

  private static List<SseParser.Event> parseByteByByte(String stream) throws MalformedStreamException {
    SseParser parser = new SseParser();
    List<SseParser.Event> events = new ArrayList<>();
    for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
      events.addAll(parser.feed(new byte[] {b}));
    }
    return events;
  }

  @ParameterizedTest(name = "line end {0}")
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void splitsEventsOnEveryLineEndingEvenAcrossChunks(String eol) throws Exception {
    String stream = "data: {\"a\":1}" + eol + eol + "data: [DONE]" + eol + eol;

    assertThat(parseByteByByte(stream))
        .containsExactly(new SseParser.Event("message", "{\"a\":1}"), new SseParser.Event("message", "[DONE]"));
  }

  @Test
  void joinsMultiLineDataAndSkipsCommentsAndIgnoredFields() throws Exception {
    String stream = ": keep-alive\n"
        + "id: 7\nretry: 1000\n"
        + "data: {\"choices\":\n"
        + "data:[]}\n"
        + "\n";

    assertThat(parseByteByByte(stream)).containsExactly(new SseParser.Event("message", "{\"choices\":\n[]}"));
  }

  @Test
  void keepsEventTypesForOneEventOnly() throws Exception {
    String stream = "event: error\ndata: {\"error\":{}}\n\ndata: x\n\nevent: ping\n\ndata: y\n\n";

    assertThat(parseByteByByte(stream)).containsExactly(
        new SseParser.Event("error", "{\"error\":{}}"),
        new SseParser.Event("message", "x"),
        new SseParser.Event("message", "y"));
  }

  @Test
  void dropsAnUnfinishedEventAndAByteOrderMark() throws Exception {
    SseParser parser = new SseParser();

    assertThat(parser.feed("\uFEFFdata: whole\n\ndata: half".getBytes(StandardCharsets.UTF_8)))
        .containsExactly(new SseParser.Event("message", "whole"));
  }

  @Test
  void decodesMultiByteCharactersSplitAcrossChunks() throws Exception {
    assertThat(parseByteByByte("data: h\u00e9llo \u4e16\u754c \uD83D\uDE00\n\n"))
        .containsExactly(new SseParser.Event("message", "h\u00e9llo \u4e16\u754c \uD83D\uDE00"));
  }

  @Test
  void rejectsInvalidUtf8() {
    SseParser parser = new SseParser();

    assertThatThrownBy(() -> parser.feed(new byte[] {'d', 'a', 't', 'a', ':', (byte) 0xC3, '\n'}))
        .isInstanceOf(MalformedStreamException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void rejectsAnEndlessLine() {
    SseParser parser = new SseParser();
    byte[] chunk = new byte[1024 * 1024];
    Arrays.fill(chunk, (byte) 'a');

    assertThatThrownBy(() -> {
      for (int i = 0; i <= SseParser.MAX_LINE_BYTES / chunk.length; i++) {
        parser.feed(chunk);
      }
    }).isInstanceOf(MalformedStreamException.class);
  }
}
