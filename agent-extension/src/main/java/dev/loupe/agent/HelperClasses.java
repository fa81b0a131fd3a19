package dev.loupe.agent;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * The helper classes an instrumentation module injects into the application's class loaders: the
 * top-level classes it names and every class nested in them, named or anonymous, found in the
 * extension's own class files. A module lists what its advice calls, not how the compiler split it up;
 * a nested class added later is injected without anyone remembering to list it.
 */
public final class HelperClasses {

  private static final Map<Class<?>, List<String>> found = new ConcurrentHashMap<>();

  private HelperClasses() {}

  /**
   * {@code topLevel} (binary names) and every class nested in them, in {@code module}'s class loader,
   * read as class files without loading them (they refer to the application's libraries, which the
   * extension's class loader does not have). A name with no class file is kept as it is. Found once
   * per module: the agent asks for the list more than once.
   */
  public static List<String> of(Class<?> module, String... topLevel) {
    return found.computeIfAbsent(module, m -> Collections.unmodifiableList(find(m.getClassLoader(), topLevel)));
  }

  private static List<String> find(ClassLoader loader, String... topLevel) {
    TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
    List<String> out = new ArrayList<>();
    Deque<String> todo = new ArrayDeque<>(Arrays.asList(topLevel));
    while (!todo.isEmpty()) {
      String name = todo.poll();
      if (out.contains(name)) {
        continue;
      }
      out.add(name);
      TypePool.Resolution resolution = pool.describe(name);
      if (resolution.isResolved()) {
        for (TypeDescription nested : resolution.resolve().getDeclaredTypes()) {
          todo.add(nested.getName());
        }
      }
      // anonymous classes are numbered from 1 within the class that declares them
      for (int i = 1; loader.getResource(name.replace('.', '/') + "$" + i + ".class") != null; i++) {
        todo.add(name + "$" + i);
      }
    }
    return out;
  }
}
