package dev.loupe.sample.shop;

import dev.loupe.sample.faults.FaultSwitch;
import dev.loupe.sample.storage.ModelStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The legacy online shop back end. */
@SpringBootApplication
public class ShopApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }

  @Bean
  FaultSwitch faultSwitch() {
    return new FaultSwitch("shop-api");
  }

  @Bean
  ModelStore.Settings modelStoreSettings(
      @Value("${shop.models.endpoint}") String endpoint,
      @Value("${shop.models.region}") String region,
      @Value("${shop.models.bucket}") String bucket,
      @Value("${shop.models.access-key}") String accessKey,
      @Value("${shop.models.secret-key}") String secretKey) {
    return new ModelStore.Settings(endpoint, region, bucket, accessKey, secretKey);
  }
}
