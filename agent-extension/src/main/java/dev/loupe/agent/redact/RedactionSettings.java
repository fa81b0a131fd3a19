package dev.loupe.agent.redact;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The {@code loupe.redaction.*} settings. Unlike the other settings, a bad one is not replaced by its
 * default: what it was meant to protect cannot be known, so the result is <em>closed</em> — nothing is
 * exported — and {@link #problems()} says why.
 */
public final class RedactionSettings {

  public static final String ENABLED = "loupe.redaction.enabled";
  public static final String DETECTORS = "loupe.redaction.detectors";
  public static final String KEYS = "loupe.redaction.keys";
  public static final String PATTERN = "loupe.redaction.pattern";
  public static final String MODE = "loupe.redaction.mode";
  public static final String HASH_KEY_ENV = "loupe.redaction.hash-key-env";
  static final String DEFAULT_HASH_KEY_ENV = "LOUPE_REDACTION_KEY";
  static final int MIN_HASH_KEY_BYTES = 16;

  /**
   * Keys whose values are never exported, whatever they hold. Among them the end user's address: the
   * requester's ({@code client.address}, the older {@code http.client_ip}) and what proxies forward of it.
   */
  static final List<String> DEFAULT_KEYS = Collections.unmodifiableList(Arrays.asList("*password*", "*passwd*",
      "*secret*", "*token*", "*cookie*", "*authorization*", "*api-key*", "*api_key*", "*apikey*", "*credential*",
      "*session-id*", "*session_id*", "*email*", "*phone*", "*customer*", "http.request.header.*address*",
      "http.request.header.*forwarded*", "http.request.header.x-real-ip", "http.request.header.*client-ip*",
      "enduser.id", "user.full_name", "user.name", "user.id", "client.address", "http.client_ip"));

  /**
   * The other end of a connection (OpenTelemetry semantic conventions, current and older names): on a
   * server span the end user, or the proxy in front of them, so hidden; on a client, producer or consumer
   * span the database or broker this service called, which on-call needs, so kept. Where there is no span
   * kind (log records, metric points) they are hidden.
   */
  static final List<String> PEER_KEYS = Collections.unmodifiableList(Arrays.asList("network.peer.address",
      "net.sock.peer.addr", "net.sock.peer.name", "net.peer.ip", "net.peer.name"));

  private final boolean enabled;
  private final Redactor redactor;
  private final List<String> problems;
  private final String description;

  private RedactionSettings(boolean enabled, Redactor redactor, List<String> problems, String description) {
    this.enabled = enabled;
    this.redactor = redactor;
    this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
    this.description = description;
  }

  /** Each setting with its default ({@code ""} for none), as the extension supplies them to the agent. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(ENABLED, "true");
    d.put(DETECTORS, "");
    d.put(KEYS, "");
    d.put(PATTERN, "");
    d.put(MODE, "mask");
    d.put(HASH_KEY_ENV, DEFAULT_HASH_KEY_ENV);
    return d;
  }

  public static RedactionSettings from(ConfigProperties config) {
    return parse(config::getString, System::getenv);
  }

  static RedactionSettings parse(Function<String, String> setting, Function<String, String> environment) {
    List<String> problems = new ArrayList<>();
    String enabledText = setting.apply(ENABLED);
    boolean enabled = true;
    if (enabledText != null && !enabledText.trim().isEmpty()) {
      if (enabledText.trim().equalsIgnoreCase("false")) {
        enabled = false;
      } else if (!enabledText.trim().equalsIgnoreCase("true")) {
        problems.add(ENABLED + ": '" + enabledText + "' is neither true nor false");
      }
    }

    List<Detector> detectors = new ArrayList<>(Arrays.asList(Detector.values()));
    String detectorText = setting.apply(DETECTORS);
    if (detectorText != null && !detectorText.trim().isEmpty()) {
      detectors.clear();
      for (String name : detectorText.split(",")) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.isEmpty() || n.equals("none")) {
          continue;
        }
        Detector d = Detector.named(n);
        if (d == null) {
          problems.add(DETECTORS + ": unknown detector '" + name.trim() + "'; known: " + names());
        } else if (!detectors.contains(d)) {
          detectors.add(d);
        }
      }
      // keep the built-in order: it decides which detector names a value found by several
      detectors.sort(null);
    }

    List<String> keys = new ArrayList<>(DEFAULT_KEYS);
    String keysText = setting.apply(KEYS);
    if (keysText != null) {
      for (String k : keysText.split(",")) {
        String key = k.trim();
        if (key.isEmpty()) {
          continue;
        }
        if (!key.matches("[A-Za-z0-9_.*-]+")) {
          problems.add(KEYS + ": '" + key + "' is not an attribute key or a glob of one (letters, digits, . _ - *)");
        } else {
          keys.add(key);
        }
      }
    }

    Pattern custom = null;
    String patternText = setting.apply(PATTERN);
    if (patternText != null && !patternText.trim().isEmpty()) {
      try {
        custom = Pattern.compile(patternText.trim());
        if (custom.matcher("").matches()) {
          problems.add(PATTERN + ": '" + patternText.trim() + "' matches the empty string");
          custom = null;
        }
      } catch (PatternSyntaxException e) {
        problems.add(PATTERN + ": not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
      }
    }

    byte[] hashKey = null;
    String mode = setting.apply(MODE) == null ? "mask" : setting.apply(MODE).trim().toLowerCase(Locale.ROOT);
    String envName = setting.apply(HASH_KEY_ENV) == null || setting.apply(HASH_KEY_ENV).trim().isEmpty()
        ? DEFAULT_HASH_KEY_ENV : setting.apply(HASH_KEY_ENV).trim();
    if (mode.equals("hash")) {
      String secret = environment.apply(envName);
      if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_HASH_KEY_BYTES) {
        problems.add(MODE + "=hash needs a secret of at least " + MIN_HASH_KEY_BYTES + " bytes in the environment"
            + " variable " + envName + (secret == null ? ", which is not set" : ", which is shorter"));
      } else {
        hashKey = secret.getBytes(StandardCharsets.UTF_8);
      }
    } else if (!mode.equals("mask") && !mode.isEmpty()) {
      problems.add(MODE + ": '" + setting.apply(MODE) + "' is neither mask nor hash");
    }

    if (!problems.isEmpty()) {
      return new RedactionSettings(enabled, null, problems, "CLOSED: no telemetry is exported");
    }
    if (!enabled) {
      return new RedactionSettings(false, null, problems, "off");
    }
    String description = (hashKey == null ? "mask" : "hash (key from " + envName + ")") + ", detectors "
        + detectors.stream().map(d -> d.name).collect(Collectors.toList()) + ", " + keys.size() + " sensitive keys"
        + (custom == null ? "" : ", a custom pattern");
    return new RedactionSettings(true, new Redactor(detectors, custom, new KeyMatcher(keys), new KeyMatcher(PEER_KEYS), hashKey), problems,
        description);
  }

  private static String names() {
    return Arrays.stream(Detector.values()).map(d -> d.name).collect(Collectors.joining(", "));
  }

  /** True if a setting could not be honoured: then nothing may be exported. */
  public boolean closed() {
    return !problems.isEmpty();
  }

  /** The redactor, or null when redaction is off or closed. */
  public Redactor redactor() {
    return redactor;
  }

  public List<String> problems() {
    return problems;
  }

  public String describe() {
    return description;
  }

  public boolean enabled() {
    return enabled;
  }
}
