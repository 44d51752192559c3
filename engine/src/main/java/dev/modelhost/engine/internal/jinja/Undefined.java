package dev.modelhost.engine.internal.jinja;

/**
 * Jinja2's default {@code Undefined}: prints as nothing, is false, iterates as empty, and fails
 * when used in arithmetic, attribute access or a call. {@code unsafe} marks an attribute the
 * sandbox refuses (a method that would mutate a value).
 */
record Undefined(String hint, boolean unsafe) {

  static Undefined named(String name) {
    return new Undefined("'" + name + "' is undefined", false);
  }

  static Undefined attribute(Object owner, Object name) {
    return new Undefined("'" + Values.typeName(owner) + " object' has no attribute " + Values.repr(name), false);
  }

  static Undefined unsafe(Object owner, String name) {
    return new Undefined("access to attribute '" + name + "' of '" + Values.typeName(owner) + "' object is unsafe.", true);
  }

  TemplateException.Runtime fail() {
    return new TemplateException.Runtime(hint);
  }
}
