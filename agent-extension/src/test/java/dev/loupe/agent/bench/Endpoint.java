package dev.loupe.agent.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** The OTLP endpoint of one benchmark run: a healthy one, or one of the ways a Collector is unreachable. */
abstract class Endpoint implements AutoCloseable {

  /** The kinds, as {@code loupe.bench.scenarios} names them. */
  static Endpoint of(String kind) {
    return switch (kind) {
      case "healthy" -> new Healthy();
      case "unresponsive" -> new Unresponsive();
      case "refused" -> new Refused();
      default -> throw new IllegalArgumentException("unknown endpoint kind '" + kind
          + "' in loupe.bench.scenarios; use healthy, unresponsive or refused");
    };
  }

  abstract String kind();

  /** {@code otel.exporter.otlp.endpoint} */
  abstract String url();

  /** What reached the endpoint, for the report. */
  abstract String received();

  @Override
  public abstract void close();

  /**
   * Answers every export at once with an empty success and keeps only counts: a Collector that keeps up,
   * without the cost of decoding what it receives.
   */
  static final class Healthy extends Endpoint {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    Healthy() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.setExecutor(threads);
      server.createContext("/", exchange -> {
        try (exchange; InputStream in = exchange.getRequestBody()) {
          bytes.addAndGet(in.transferTo(java.io.OutputStream.nullOutputStream()));
          requests.incrementAndGet();
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
        }
      });
      server.start();
    }

    long requests() {
      return requests.get();
    }

    @Override
    String kind() {
      return "healthy";
    }

    @Override
    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    String received() {
      return requests.get() + " exports, " + bytes.get() / 1024 + " KiB";
    }

    @Override
    public void close() {
      server.stop(0);
      threads.shutdownNow();
    }
  }

  /**
   * Accepts connections and reads whatever is sent, but never answers: a Collector that hangs. Every
   * export waits for its timeout.
   */
  static final class Unresponsive extends Endpoint {
    private final ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong bytes = new AtomicLong();
    private final Thread acceptor;

    Unresponsive() {
      try {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      acceptor = daemon("unresponsive-collector", this::accept);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          connections.add(socket);
          daemon("unresponsive-connection", () -> drain(socket));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void drain(Socket socket) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = socket.getInputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          bytes.addAndGet(n);
        }
      } catch (IOException closed) {
        // the client gave up, or the run is over
      }
    }

    @Override
    String kind() {
      return "unresponsive";
    }

    @Override
    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    @Override
    String received() {
      return connections.size() + " connections, " + bytes.get() / 1024 + " KiB, no answer";
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing
      }
      for (Socket s : connections) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A loopback port nothing listens on: every connection is refused at once. */
  static final class Refused extends Endpoint {
    private final int port;

    Refused() {
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    String kind() {
      return "refused";
    }

    @Override
    String url() {
      return "http://127.0.0.1:" + port;
    }

    @Override
    String received() {
      return "nothing (connection refused)";
    }

    @Override
    public void close() {}
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
