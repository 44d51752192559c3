package dev.modelhost.engine.internal.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** The value of {@code namespace(...)}: the only object a template may assign attributes to. */
final class Namespace {
  final Map<String, Object> attributes = new LinkedHashMap<>();
}
