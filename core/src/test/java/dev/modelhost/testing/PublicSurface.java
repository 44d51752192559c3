package dev.modelhost.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks a module's compiled classes: that no public signature of a public API type names a type
 * from an {@code internal} package, and that one package does not refer to another.
 */
public final class PublicSurface {

  private PublicSurface() {}

  /** The classes of the module that holds {@code anchor}, by binary name. */
  public static List<String> classNames(Class<?> anchor) {
    Path root = root(anchor);
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(file -> file.toString().endsWith(".class"))
          .map(file -> root.relativize(file).toString().replace(java.io.File.separatorChar, '.'))
          .map(name -> name.substring(0, name.length() - ".class".length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * "Type.member -> internal type" for every public or protected member of a public class outside
   * the {@code internal} packages of {@code anchor}'s module that names an internal type.
   */
  public static Set<String> internalTypesInPublicSignatures(Class<?> anchor) throws ClassNotFoundException {
    Set<String> leaks = new TreeSet<>();
    ClassLoader loader = anchor.getClassLoader();
    for (String name : classNames(anchor)) {
      if (isInternal(name) || name.endsWith("package-info")) {
        continue;
      }
      Class<?> type = Class.forName(name, false, loader);
      if (!Modifier.isPublic(type.getModifiers())) {
        continue;
      }
      List<Type> exposed = new ArrayList<>();
      List<String> where = new ArrayList<>();
      if (type.getGenericSuperclass() != null) {
        exposed.add(type.getGenericSuperclass());
        where.add("extends");
      }
      for (Type implemented : type.getGenericInterfaces()) {
        exposed.add(implemented);
        where.add("implements");
      }
      for (Method method : type.getDeclaredMethods()) {
        if (visible(method.getModifiers()) && !method.isSynthetic()) {
          exposed.add(method.getGenericReturnType());
          where.add(method.getName());
          for (Type parameter : method.getGenericParameterTypes()) {
            exposed.add(parameter);
            where.add(method.getName());
          }
        }
      }
      for (Constructor<?> constructor : type.getDeclaredConstructors()) {
        if (visible(constructor.getModifiers())) {
          for (Type parameter : constructor.getGenericParameterTypes()) {
            exposed.add(parameter);
            where.add("<init>");
          }
        }
      }
      for (Field field : type.getDeclaredFields()) {
        if (visible(field.getModifiers())) {
          exposed.add(field.getGenericType());
          where.add(field.getName());
        }
      }
      for (int i = 0; i < exposed.size(); i++) {
        for (Class<?> named : named(exposed.get(i))) {
          if (isInternal(named.getName())) {
            leaks.add(type.getName() + "." + where.get(i) + " -> " + named.getName());
          }
        }
      }
    }
    return leaks;
  }

  /** The classes of package {@code from} (in {@code anchor}'s module) whose bytecode names package {@code to}. */
  public static Set<String> classesReferring(Class<?> anchor, String from, String to) {
    Path root = root(anchor);
    String target = to.replace('.', '/') + "/";
    Set<String> referring = new TreeSet<>();
    try (Stream<Path> files = Files.list(root.resolve(from.replace('.', '/')))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        // Class names in the constant pool are plain ASCII, so a text search over the bytes finds them.
        if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(target)) {
          referring.add(file.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return referring;
  }

  private static boolean isInternal(String className) {
    return className.contains(".internal.");
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static List<Class<?>> named(Type type) {
    List<Class<?>> classes = new ArrayList<>();
    collect(type, classes, 0);
    return classes;
  }

  private static void collect(Type type, List<Class<?>> into, int depth) {
    if (depth > 8) {
      return;
    }
    if (type instanceof Class<?> c) {
      into.add(c.isArray() ? c.getComponentType() : c);
    } else if (type instanceof ParameterizedType p) {
      collect(p.getRawType(), into, depth + 1);
      for (Type argument : p.getActualTypeArguments()) {
        collect(argument, into, depth + 1);
      }
    } else if (type instanceof GenericArrayType array) {
      collect(array.getGenericComponentType(), into, depth + 1);
    } else if (type instanceof WildcardType wildcard) {
      for (Type bound : wildcard.getUpperBounds()) {
        collect(bound, into, depth + 1);
      }
      for (Type bound : wildcard.getLowerBounds()) {
        collect(bound, into, depth + 1);
      }
    } else if (type instanceof TypeVariable<?> variable) {
      for (Type bound : variable.getBounds()) {
        collect(bound, into, depth + 1);
      }
    }
  }

  private static Path root(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
