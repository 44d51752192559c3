package dev.modelhost.engine.internal.jinja;

import java.util.List;

/** The {@code loop} variable of a {@code for} block. */
final class Loop {
  private final List<Object> items;
  private int index;

  Loop(List<Object> items) {
    this.items = items;
  }

  void moveTo(int index) {
    this.index = index;
  }

  Object attribute(String name) {
    int length = items.size();
    return switch (name) {
      case "index" -> (long) index + 1;
      case "index0" -> (long) index;
      case "revindex" -> (long) (length - index);
      case "revindex0" -> (long) (length - index - 1);
      case "first" -> index == 0;
      case "last" -> index == length - 1;
      case "length" -> (long) length;
      case "depth" -> 1L;
      case "depth0" -> 0L;
      case "previtem" -> index > 0 ? items.get(index - 1) : Undefined.named("previtem");
      case "nextitem" -> index + 1 < length ? items.get(index + 1) : Undefined.named("nextitem");
      case "cycle" -> (Callable) (args, kwargs) -> {
        if (args.isEmpty()) {
          throw new TemplateException.Runtime("no items for cycling given");
        }
        return args.get(index % args.size());
      };
      default -> Undefined.attribute(this, name);
    };
  }
}
