// Broker: is RabbitMQ up, are the order queues consumed, and are messages dropped or parked? From the
// broker's own metrics (rabbitmq_prometheus) and the agents' loss sentinels. For on-call after a
// messaging page (failure points 4, 5 and 9) and for the operators of the broker.
import { dashboard, graph, labelVariable } from '../panels.js';
import { alertRule } from '../repository.js';
import { alertPanel } from './alerts.js';

const QUEUE = 'queue=~"$queue"';

export function build() {
  return dashboard('loupe-messaging', 'Broker',
    'Is RabbitMQ up, are the order queues consumed, and does anything drop or park order messages? For on-call '
    + 'after a messaging page (failure points 4, 5, 9) and for the operators of the broker.')
    .withVariable(labelVariable('queue', 'rabbitmq_queue_messages_ready'))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqDown') }))
    .withPanel(graph({
      title: 'Ready messages by queue',
      description: 'Messages waiting for a consumer (rabbitmq_queue_messages_ready); RabbitmqConsumerLag fires above 100 for 10 minutes.',
      queries: [{ expr: `max by (queue) (rabbitmq_queue_messages_ready{${QUEUE}})`, legend: '{{queue}}' }],
      threshold: 100,
      width: 8,
    }))
    .withPanel(graph({
      title: 'Unacknowledged messages by queue',
      description: 'Messages delivered and not yet acknowledged (rabbitmq_queue_messages_unacked): a stuck consumer holds them.',
      queries: [{ expr: `max by (queue) (rabbitmq_queue_messages_unacked{${QUEUE}})`, legend: '{{queue}}' }],
      threshold: 50,
      width: 8,
    }))
    .withPanel(graph({
      title: 'Consumers by queue',
      description: 'Consumers attached to each queue (rabbitmq_queue_consumers); an order queue at 0 is read by nobody.',
      queries: [{ expr: `max by (queue) (rabbitmq_queue_consumers{${QUEUE}})`, legend: '{{queue}}' }],
      width: 8,
    }))
    .withPanel(graph({
      title: 'Order messages lost by the services, by destination and reason',
      description: 'What the agents\' loss sentinels saw per second (loupe_messages_lost_total): unroutable returns, '
        + 'nacked publishes, rejections without requeue, consumer failures.',
      queries: [{ expr: 'sum by (service, messaging_destination_name, reason) (rate(loupe_messages_lost_total[$__rate_interval]))',
        legend: '{{service}} {{messaging_destination_name}} {{reason}}' }],
      width: 8,
    }))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqUnroutableMessages') }))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqMessagesDeadLettered') }))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqMessagesDiscarded') }))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqQueueWithoutConsumers') }))
    .withPanel(alertPanel({ rule: alertRule('RabbitmqQueueGrowing') }));
}
