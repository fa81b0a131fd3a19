package dev.loupe.terraform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code variable "name" { ... }} blocks of a terraform file, with the attributes written directly in
 * each (not those of nested blocks such as {@code validation}): enough HCL to tell whether a variable is
 * {@code sensitive} and has a {@code default}. Strings, heredocs and comments are skipped as HCL defines
 * them, so a brace or an {@code =} inside one does not count.
 */
final class VariableBlocks {

  /** One variable: its name and its own attributes, name → the expression's text as written. */
  record Variable(String name, Map<String, String> attributes) {}

  private static final Pattern START = Pattern.compile("(?m)^variable\\s+\"([^\"]+)\"\\s*\\{");
  private static final Pattern ATTRIBUTE = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_-]*)\\s*=\\s*(.*)$");
  private static final Pattern HEREDOC = Pattern.compile("<<-?([A-Za-z_]+)\\s*$");

  private VariableBlocks() {}

  /**
   * The variable blocks of {@code text}, in order.
   *
   * @throws IllegalArgumentException when a block's braces do not close
   */
  static List<Variable> in(String text) {
    List<Variable> variables = new ArrayList<>();
    Matcher m = START.matcher(text);
    while (m.find()) {
      variables.add(new Variable(m.group(1), attributesOfBlockAt(text, m.end(), m.group(1))));
    }
    return variables;
  }

  private static Map<String, String> attributesOfBlockAt(String text, int bodyStart, String name) {
    Map<String, String> attributes = new LinkedHashMap<>();
    String[] lines = text.substring(bodyStart).split("\n", -1);
    int depth = 1;
    String heredocEnd = null;
    for (String line : lines) {
      if (heredocEnd != null) {
        if (line.trim().equals(heredocEnd)) {
          heredocEnd = null;
        }
        continue;
      }
      if (depth == 1) {
        Matcher a = ATTRIBUTE.matcher(line);
        if (a.matches()) {
          attributes.put(a.group(1), a.group(2).replaceAll("\\s*(#|//).*$", "").trim());
        }
      }
      Matcher h = HEREDOC.matcher(line);
      if (h.find()) {
        heredocEnd = h.group(1);
      }
      depth += braceBalance(line);
      if (depth == 0) {
        return attributes;
      }
    }
    throw new IllegalArgumentException("variable \"" + name + "\": its block does not close");
  }

  /** Opening minus closing braces of {@code line} outside strings and comments. */
  private static int braceBalance(String line) {
    int balance = 0;
    boolean inString = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '#' || (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/')) {
        break;
      } else if (c == '{') {
        balance++;
      } else if (c == '}') {
        balance--;
      }
    }
    return balance;
  }
}
