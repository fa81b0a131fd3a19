package dev.loupe.sample.mes;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MES connection to RabbitMQ and the topology MES owns. It reconnects by itself after an outage. */
final class Broker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  static final String ORDERS_EXCHANGE = "jewelry.orders";
  static final String CONFIRMED_ROUTING_KEY = "order.confirmed";
  static final String STATUS_ROUTING_KEY = "order.status";
  static final String INTAKE_QUEUE = "mes.order-intake";

  private final Connection connection;

  Broker(MesSettings settings) throws IOException, InterruptedException {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(settings.rabbitHost());
    factory.setPort(settings.rabbitPort());
    factory.setUsername(settings.rabbitUser());
    factory.setPassword(settings.rabbitPassword());
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(1000);
    // an exception in a consumer is logged and the channel kept, as the legacy code configured it
    factory.setExceptionHandler(new ForgivingExceptionHandler());
    this.connection = connect(factory);
  }

  /**
   * Declares what MES owns on a channel that stays open, so that the client can declare it again by
   * itself after the broker comes back.
   */
  static void declareTopology(Channel channel) throws IOException {
    channel.exchangeDeclare(ORDERS_EXCHANGE, "topic", true);
    channel.queueDeclare(INTAKE_QUEUE, true, false, false, null);
    channel.queueBind(INTAKE_QUEUE, ORDERS_EXCHANGE, CONFIRMED_ROUTING_KEY);
  }

  private static Connection connect(ConnectionFactory factory) throws InterruptedException {
    long attempts = 0;
    while (true) {
      try {
        return factory.newConnection("mes-api");
      } catch (IOException | TimeoutException e) {
        if (attempts++ % 5 == 0) {
          log.warn("RabbitMQ at {}:{} is not reachable yet ({}); retrying", factory.getHost(), factory.getPort(),
              e.getMessage());
        }
        Thread.sleep(1000);
      }
    }
  }

  Channel channel() throws IOException {
    return connection.createChannel();
  }

  @Override
  public void close() {
    try {
      connection.close(2000);
    } catch (IOException | RuntimeException e) {
      log.debug("closing the RabbitMQ connection", e);
    }
  }
}
