package dev.loupe.sample.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private certificate authority made with the JDK's {@code keytool}, as an operator would make one: a
 * CA certificate (PEM, for the services' {@code otel.exporter.otlp.certificate}), a Collector certificate
 * for {@code 127.0.0.1} signed by it, and client certificates for mutual TLS. All files live in one
 * directory; nothing is written elsewhere. The Collector (Go) takes the PEM files ({@link #certificateOf},
 * {@link #privateKeyOf}); Java servers and clients take the {@link SSLContext}s.
 */
public final class PrivateCa {

  private static final String PASSWORD = "loupe-test-only";

  private final Path dir;

  private PrivateCa(Path dir) {
    this.dir = dir;
  }

  /** Creates the CA named {@code CN=<name>} in {@code dir} (created if missing). */
  public static PrivateCa create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PrivateCa ca = new PrivateCa(dir);
    ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign", "-validity", "2",
        "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
    ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD,
        "-file", "ca.pem");
    return ca;
  }

  /** The CA certificate, PEM. */
  public Path certificate() {
    return dir.resolve("ca.pem");
  }

  /**
   * Issues a certificate for {@code name} with the given extended key usage ({@code serverAuth} or
   * {@code clientAuth}) and, for a server, the subject alternative names {@code IP:127.0.0.1} and
   * {@code DNS:localhost}; returns the PKCS12 key store holding the key and the chain.
   */
  public Path issue(String name, String usage) {
    String store = name + ".p12";
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", PASSWORD);
    keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASSWORD, "-file", name + ".csr");
    List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12",
        "-storepass", PASSWORD, "-infile", name + ".csr", "-outfile", name + ".pem", "-validity", "2",
        "-ext", "ku:c=digitalSignature", "-ext", "eku=" + usage));
    if (usage.equals("serverAuth")) {
      sign.addAll(List.of("-ext", "san=ip:127.0.0.1,dns:localhost"));
    }
    keytool(sign.toArray(String[]::new));
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store, "-storepass", PASSWORD);
    keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", store, "-storepass", PASSWORD);
    return dir.resolve(store);
  }

  /** The issued certificate of {@code name}, PEM (as {@code otel.exporter.otlp.client.certificate} takes it). */
  public Path certificateOf(String name) {
    return dir.resolve(name + ".pem");
  }

  /** Writes {@code name}'s private key as unencrypted PKCS#8 PEM ({@code otel.exporter.otlp.client.key}). */
  public Path privateKeyOf(String name) {
    try {
      PrivateKey key = (PrivateKey) load(dir.resolve(name + ".p12")).getKey(name, PASSWORD.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Path file = dir.resolve(name + ".key");
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server TLS context presenting {@code name}'s certificate and trusting this CA for client certificates. */
  public SSLContext serverContext(String name) {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(dir.resolve(name + ".p12")), PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client TLS context that trusts this CA only, and presents no certificate. */
  public SSLContext clientContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private TrustManager[] trustManagers() {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", load(dir.resolve("ca.p12")).getCertificate("ca"));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      return trust.getTrustManagers();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + out.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
