package dev.modelhost.engine.internal.jinja;

/** Python's {@code None} inside templates (Java {@code null} never appears as a value). */
public enum NoneValue {
  NONE
}
