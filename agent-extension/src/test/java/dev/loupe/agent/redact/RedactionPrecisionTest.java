package dev.loupe.agent.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Redaction's precision and recall as kinds, on two corpora in {@code src/test/resources/redaction/}
 * (the gateway Collector's redaction is held to the same two files by {@code GatewayRedactionTest} in
 * collector-config): {@code ordinary.txt}, telemetry with nothing personal in it as Spring, Hibernate,
 * HikariCP, Tomcat, the RabbitMQ client, the JVM and the agent write it — every line must be exported
 * unchanged; and {@code personal.txt}, personal data and secrets as they reach telemetry — none of them,
 * nor any word of four or more letters or digits of them (unless the text has that word elsewhere), may be left. Both rates are printed.
 */
class RedactionPrecisionTest {

  private static final Redactor R = RedactionSettings.parse(Map.<String, String>of()::get, Map.<String, String>of()::get)
      .redactor();

  @Test
  void ordinaryFrameworkTelemetryPassesUnchanged() throws IOException {
    List<String> lines = Corpus.ordinary();
    List<String> changed = new ArrayList<>();
    for (String line : lines) {
      String out = R.redact(line);
      if (!out.equals(line)) {
        changed.add(line + "\n    became " + out);
      }
    }
    System.out.printf("Redaction precision: %d of %d ordinary values unchanged (%.1f %%)%n",
        lines.size() - changed.size(), lines.size(), 100.0 * (lines.size() - changed.size()) / lines.size());
    assertThat(lines).hasSizeGreaterThan(80);
    assertThat(changed).as("ordinary values that redaction changed").isEmpty();
  }

  @Test
  void noPersonalValueIsLeftInTheSensitiveCorpus() throws IOException {
    List<Corpus.Personal> values = Corpus.personal();
    List<String> leaks = new ArrayList<>();
    int secrets = 0;
    for (Corpus.Personal value : values) {
      String out = R.redact(value.text);
      for (String secret : value.secrets) {
        secrets++;
        // a word of the value that the text has elsewhere too (mail in customerEmail) says nothing
        String elsewhere = value.text.replace(secret, " ");
        for (String form : forms(secret)) {
          if (out.contains(form) && (form.equals(secret) || !elsewhere.contains(form))) {
            leaks.add("'" + form + "' of '" + secret + "' is left in: " + out);
          }
        }
      }
    }
    System.out.printf("Redaction recall: %d personal values in %d lines, %d left (%d leaks)%n", secrets, values.size(),
        leaks.size(), leaks.size());
    assertThat(secrets).isGreaterThan(40);
    assertThat(leaks).as("personal values left").isEmpty();
  }

  /** The value as written, URL-encoded, as bare digits, and each of its words of four or more letters or digits. */
  static Set<String> forms(String secret) {
    Set<String> out = new LinkedHashSet<>();
    out.add(secret);
    out.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
    String digits = secret.replaceAll("[^0-9]", "");
    if (digits.length() >= 4) {
      out.add(digits);
    }
    for (String word : secret.split("[^\\p{L}\\p{N}]+")) {
      if (word.length() >= 4) {
        out.add(word);
      }
    }
    return out;
  }

  /** The two corpora, read from the test resources. */
  static final class Corpus {

    static final class Personal {
      final String text;
      final List<String> secrets;
      final String kind;

      Personal(String text, List<String> secrets, String kind) {
        this.text = text;
        this.secrets = secrets;
        this.kind = kind;
      }
    }

    static List<String> ordinary() throws IOException {
      return lines("ordinary.txt");
    }

    static List<Personal> personal() throws IOException {
      List<Personal> out = new ArrayList<>();
      for (String line : lines("personal.txt")) {
        String[] columns = line.split("\t");
        assertThat(columns).as("the value, its personal parts and their kind, separated by tabs, in: " + line).hasSize(3);
        out.add(new Personal(columns[0], List.of(columns[1].split("\\|")), columns[2]));
      }
      return out;
    }

    private static List<String> lines(String name) throws IOException {
      try (InputStream in = RedactionPrecisionTest.class.getResourceAsStream("/redaction/" + name)) {
        assertThat(in).as(name).isNotNull();
        List<String> out = new ArrayList<>();
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty() && !line.startsWith("#")) {
            out.add(line);
          }
        }
        return out;
      }
    }
  }
}
