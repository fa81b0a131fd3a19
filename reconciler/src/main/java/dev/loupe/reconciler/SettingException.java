package dev.loupe.reconciler;

/**
 * A setting the reconciler cannot work with, or a database that does not answer as a setting says it
 * should: the message starts with the setting to change ({@code setting shop-db.query: ...}). The
 * command exits non-zero and writes no list.
 */
public final class SettingException extends Exception {

  private final String key;

  public SettingException(Setting setting, String message) {
    this(setting.key(), message, null);
  }

  public SettingException(Setting setting, String message, Throwable cause) {
    this(setting.key(), message, cause);
  }

  /** For a key that is no setting at all. */
  SettingException(String key, String message, Throwable cause) {
    super("setting " + key + ": " + message, cause);
    this.key = key;
  }

  /** The key of the setting to change, e.g. {@code shop-db.query}. */
  public String key() {
    return key;
  }
}
