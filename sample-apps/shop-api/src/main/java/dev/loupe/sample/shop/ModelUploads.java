package dev.loupe.sample.shop;

import dev.loupe.sample.faults.Fault;
import dev.loupe.sample.faults.FaultSwitch;
import dev.loupe.sample.storage.ModelStore;
import jakarta.annotation.PreDestroy;
import java.io.UncheckedIOException;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Puts customers' 3D models into the model bucket. */
@Component
class ModelUploads {

  private final FaultSwitch faults;
  private final ModelStore store;
  private final ModelStore revoked;

  ModelUploads(ModelStore.Settings settings, FaultSwitch faults) {
    this.faults = faults;
    this.store = new ModelStore(settings);
    this.revoked = new ModelStore(settings.withSecretKey("revoked-" + settings.secretKey()));
  }

  String upload(String orderId, String fileName, byte[] content) throws InterruptedException {
    String key = "models/" + orderId + "/" + safeName(fileName);
    if (faults.isOn(Fault.SHOP_S3_SLOW)) {
      Thread.sleep(3000);
    }
    try {
      (faults.isOn(Fault.SHOP_S3_REJECTED) ? revoked : store).put(key, content, "model/stl");
    } catch (UncheckedIOException e) {
      // the JDK HTTP client reports a storage server that vanished mid-connection this way
      throw SdkClientException.create("model store unreachable: " + e.getMessage(), e);
    }
    return key;
  }

  private static String safeName(String fileName) {
    if (fileName == null || fileName.isBlank()) {
      return "model.stl";
    }
    String base = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
    String cleaned = base.replaceAll("[^A-Za-z0-9._-]", "_");
    return cleaned.isEmpty() || cleaned.startsWith(".") ? "model.stl" : cleaned;
  }

  @PreDestroy
  void close() {
    store.close();
    revoked.close();
  }
}
