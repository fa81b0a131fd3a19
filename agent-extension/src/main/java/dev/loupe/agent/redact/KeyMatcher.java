package dev.loupe.agent.redact;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Attribute keys whose values are hidden whole, as globs ({@code *} matches any run of characters),
 * compared without regard to case. Answers are cached: the same few keys come back all the time.
 */
final class KeyMatcher {

  private static final int CACHE_LIMIT = 4096;

  private final List<String> globs;
  private final Map<String, Boolean> answers = new ConcurrentHashMap<>();

  KeyMatcher(List<String> globs) {
    this.globs = globs.stream().map(g -> g.trim().toLowerCase(Locale.ROOT)).filter(g -> !g.isEmpty())
        .collect(Collectors.toList());
  }

  boolean sensitive(String key) {
    Boolean known = answers.get(key);
    if (known != null) {
      return known;
    }
    String k = key.toLowerCase(Locale.ROOT);
    boolean answer = globs.stream().anyMatch(g -> glob(g, k));
    if (answers.size() < CACHE_LIMIT) {
      answers.put(key, answer);
    }
    return answer;
  }

  static boolean glob(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        resume = t;
      } else if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
        g++;
        t++;
      } else if (star >= 0) {
        g = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
