package dev.modelhost.backend.remote.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Incremental server-sent events parser (WHATWG HTML "event stream interpretation"): lines end in
 * CRLF, LF or CR (also split across chunks); {@code data:} lines of one event are joined with
 * {@code \n}; {@code :} lines are comments; {@code event:} sets the type; a blank line dispatches;
 * an unfinished event at the end of the stream is dropped. Lines are split on bytes, which is safe
 * for UTF-8, and decoded strictly.
 */
final class SseParser {

  /** One dispatched event; {@code type} is {@code message} unless an {@code event:} line said otherwise. */
  record Event(String type, String data) {}

  /** Largest line accepted; a longer one means a broken or hostile upstream. */
  static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private @Nullable String eventType;
  private boolean hasData;
  private boolean lastWasCr;
  private boolean firstLine = true;

  /** Feeds bytes; returns the events completed by them. */
  List<Event> feed(byte[] bytes) throws MalformedStreamException {
    List<Event> events = new ArrayList<>();
    for (byte b : bytes) {
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        Event event = endLine();
        if (event != null) {
          events.add(event);
        }
      } else {
        if (line.size() >= MAX_LINE_BYTES) {
          throw new MalformedStreamException("an event stream line is longer than " + MAX_LINE_BYTES + " bytes");
        }
        line.write(b);
      }
    }
    return events;
  }

  private @Nullable Event endLine() throws MalformedStreamException {
    String text = decode(line.toByteArray());
    line.reset();
    if (firstLine) {
      firstLine = false;
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
    }
    if (text.isEmpty()) {
      return dispatch();
    }
    if (text.startsWith(":")) {
      return null;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        data.append(value).append('\n');
        hasData = true;
      }
      case "event" -> eventType = value;
      default -> {
        // "id", "retry" and unknown fields carry nothing we relay.
      }
    }
    return null;
  }

  private @Nullable Event dispatch() {
    String type = eventType == null || eventType.isEmpty() ? "message" : eventType;
    eventType = null;
    if (!hasData) {
      return null;
    }
    hasData = false;
    String payload = data.substring(0, data.length() - 1);
    data.setLength(0);
    return new Event(type, payload);
  }

  private static String decode(byte[] bytes) throws MalformedStreamException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedStreamException("the event stream is not valid UTF-8");
    }
  }
}
