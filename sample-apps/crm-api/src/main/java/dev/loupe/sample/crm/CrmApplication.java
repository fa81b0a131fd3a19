package dev.loupe.sample.crm;

import dev.loupe.sample.faults.FaultSwitch;
import dev.loupe.sample.storage.ModelStore;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The legacy CRM back end. */
@SpringBootApplication
@EnableScheduling
public class CrmApplication {

  /** The exchange every order message goes through. */
  static final String ORDERS_EXCHANGE = "jewelry.orders";
  static final String CONFIRMED_ROUTING_KEY = "order.confirmed";
  static final String STATUS_ROUTING_KEY = "order.status";
  static final String STATUS_QUEUE = "crm.order-status";

  public static void main(String[] args) {
    SpringApplication.run(CrmApplication.class, args);
  }

  @Bean
  FaultSwitch faultSwitch() {
    return new FaultSwitch("crm-api");
  }

  @Bean
  TopicExchange ordersExchange() {
    return new TopicExchange(ORDERS_EXCHANGE, true, false);
  }

  @Bean
  Queue statusQueue() {
    return new Queue(STATUS_QUEUE, true);
  }

  @Bean
  Binding statusBinding(Queue statusQueue, TopicExchange ordersExchange) {
    return BindingBuilder.bind(statusQueue).to(ordersExchange).with(STATUS_ROUTING_KEY);
  }

  @Bean(destroyMethod = "close")
  ModelStore modelStore(
      @Value("${crm.models.endpoint}") String endpoint,
      @Value("${crm.models.region}") String region,
      @Value("${crm.models.bucket}") String bucket,
      @Value("${crm.models.access-key}") String accessKey,
      @Value("${crm.models.secret-key}") String secretKey) {
    return new ModelStore(new ModelStore.Settings(endpoint, region, bucket, accessKey, secretKey));
  }
}
