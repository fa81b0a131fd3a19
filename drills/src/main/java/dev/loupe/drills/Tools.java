package dev.loupe.drills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/** Where the repository's files are, free loopback ports, and what to install when a tool is missing. */
public final class Tools {

  private Tools() {}

  /** The checkout: the system property {@code loupe.repository}, else the parent of the working directory. */
  public static Path repository() {
    return Path.of(System.getProperty("loupe.repository", "..")).toAbsolutePath().normalize();
  }

  /** A port nobody listens on at the moment, on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** The sentence that says how to get {@code binary}: the Debian package, or the Collector's setting. */
  public static String installHint(String binary) {
    String name = Path.of(binary).getFileName().toString();
    return switch (name) {
      case "prometheus", "promtool" -> "install Debian's prometheus package (tools/prerequisites tests does)";
      case "prometheus-alertmanager", "amtool" ->
          "install Debian's prometheus-alertmanager package (tools/prerequisites tests does)";
      default -> "is it installed and executable?";
    };
  }
}
