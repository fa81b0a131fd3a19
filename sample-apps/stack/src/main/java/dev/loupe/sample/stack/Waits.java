package dev.loupe.sample.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Free ports and waiting for things to come up. */
final class Waits {

  private Waits() {}

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A process that {@link #until} waited for ended before it was ready. */
  static final class Exited extends IllegalStateException {
    Exited(String message) {
      super(message);
    }
  }

  /**
   * Polls {@code ready} until it holds. Fails early with {@link Exited} if {@code process}
   * dies, with the tail of its output; with {@link IllegalStateException} when {@code timeout} passes.
   */
  static void until(String what, Duration timeout, ManagedProcess process, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (ready.getAsBoolean()) {
        return;
      }
      if (process != null && !process.alive()) {
        throw new Exited(what + " exited while starting; last output:\n" + process.tail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " was not ready within " + timeout.toSeconds() + " s"
            + (process == null ? "" : "; last output:\n" + process.tail(40)));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }
}
