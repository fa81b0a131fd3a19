package dev.loupe.agent.harness;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.ChannelN;
import com.rabbitmq.client.impl.ConsumerWorkService;
import com.rabbitmq.client.impl.FrameHandler;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Real amqp-client channels on a connection whose frames go nowhere: what the client does on the
 * application's side of a publish, a consume or a settlement, without a broker. Never started, so the
 * broker's side (answers, deliveries) happens only when a test calls it.
 */
public final class NowhereChannels {

  private NowhereChannels() {}

  /**
   * {@code count} channels, numbered from 1, on one such connection.
   *
   * @throws ReflectiveOperationException if the client no longer has the heartbeat sender this sets up
   *     (made when a connection starts, which this one never does)
   */
  public static ChannelN[] open(int count) throws ReflectiveOperationException {
    FrameHandler nowhere = (FrameHandler) Proxy.newProxyInstance(NowhereChannels.class.getClassLoader(),
        new Class<?>[] {FrameHandler.class}, (proxy, method, args) -> {
          Class<?> type = method.getReturnType();
          return type == int.class ? 0 : type == boolean.class ? false : null;
        });
    AMQConnection connection = new AMQConnection(new ConnectionFactory().params(Executors.newSingleThreadExecutor()), nowhere);
    var sender = Class.forName("com.rabbitmq.client.impl.HeartbeatSender")
        .getDeclaredConstructor(FrameHandler.class, ScheduledExecutorService.class, ThreadFactory.class);
    sender.setAccessible(true);
    Field heartbeat = AMQConnection.class.getDeclaredField("_heartbeatSender");
    heartbeat.setAccessible(true);
    heartbeat.set(connection, sender.newInstance(nowhere, null, (ThreadFactory) Thread::new));
    ConsumerWorkService work = new ConsumerWorkService(Executors.newSingleThreadExecutor(), Thread::new, 0, 0);
    ChannelN[] channels = new ChannelN[count];
    for (int i = 0; i < count; i++) {
      channels[i] = new ChannelN(connection, i + 1, work);
    }
    return channels;
  }
}
