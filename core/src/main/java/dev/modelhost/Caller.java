package dev.modelhost;

import java.util.Objects;

/** Who sends a request (an API key id, or {@code local} for in-process calls); written to usage records. */
public record Caller(String id) {

  public static final Caller LOCAL = new Caller("local");

  public Caller {
    Objects.requireNonNull(id, "id");
  }
}
