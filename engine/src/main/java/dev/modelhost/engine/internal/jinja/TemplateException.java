package dev.modelhost.engine.internal.jinja;

/**
 * A chat template failed: it could not be parsed ({@link Syntax}), it called
 * {@code raise_exception} ({@link Raised}), or an operation in it failed while rendering
 * ({@link Runtime}), as Jinja2 would have raised {@code TypeError} or {@code UndefinedError}.
 */
public abstract sealed class TemplateException extends RuntimeException {

  TemplateException(String message) {
    super(message);
  }

  /** The source is not a template Jinja2 would compile; says where. */
  public static final class Syntax extends TemplateException {
    private final int line;
    private final int column;

    Syntax(String message, int line, int column) {
      super(message + " (line " + line + ", column " + column + ")");
      this.line = line;
      this.column = column;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }
  }

  /** The template refused the conversation with {@code raise_exception(message)}. */
  public static final class Raised extends TemplateException {
    Raised(String message) {
      super(message);
    }
  }

  /** An operation of the template failed for these inputs. */
  public static final class Runtime extends TemplateException {
    Runtime(String message) {
      super(message);
    }
  }
}
