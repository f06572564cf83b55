/**
 * Configs shared by the suites that must see every target kind at once: the IAM checks (R20, R29) and
 * whatever else walks the whole stack. Its queues are in the fault suite's stack region and account.
 */
import { parseConfig } from '../../lambdas/shared/config';
import { ACCOUNT, REGION } from './iam-template';

const TG = { loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188', targetGroupFullName: 'targetgroup/shop-web/73e2d6bc24d8a067' };
const QUEUE = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;

/**
 * Every target kind, each way it can be wired: ASG and ECS workers (on SQS, RabbitMQ and Redis), RDS and
 * Aurora, Redis with and without cluster mode, each deploy trigger, windows; the default policy and
 * `policy: step` (on built-in signals, on custom metrics plain and metric math, and on a queue's
 * signals read from the queue and from CloudWatch); alerts on built-in and custom signals.
 */
export const ALL_KINDS_CONFIG = parseConfig({
  prefix: 'shop',
  // The operator API too, so its function's role is under R20's and R29's checks.
  api: { enabled: true },
  targets: [
    {
      kind: 'asg',
      id: 'web',
      autoScalingGroupName: 'shop-web',
      minCapacity: 2,
      maxCapacity: 10,
      targetGroup: TG,
      // Its history read (the seasonal forecast) is one more call R29 checks.
      forecast: true,
      customMetrics: [
        { name: 'memory', preset: 'asg-memory', targetPerUnit: 80 },
        {
          name: 'error-rate',
          queries: [
            {
              id: 'errors',
              metric: {
                namespace: 'AWS/ApplicationELB',
                metricName: 'HTTPCode_Target_5XX_Count',
                dimensions: { LoadBalancer: TG.loadBalancerFullName },
                stat: 'Sum',
              },
            },
            {
              id: 'requests',
              metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: { LoadBalancer: TG.loadBalancerFullName }, stat: 'Sum' },
            },
            { id: 'rate', expression: '100 * FILL(errors, 0) / requests', returnData: true },
          ],
          threshold: 5,
        },
      ],
      alerts: [{ name: 'high-cpu', signal: 'cpu', comparison: '>', threshold: 70, datapointsToAlarm: 3, evaluationPeriods: 5 }],
    },
    {
      kind: 'ecs-service',
      id: 'api',
      cluster: 'shop',
      service: 'shop-api',
      minCapacity: 2,
      maxCapacity: 10,
      customMetrics: [
        {
          name: 'websockets',
          metric: { namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { ServiceName: 'shop-api' }, stat: 'Sum' },
          targetPerUnit: 1500,
          aggregation: 'total',
        },
      ],
    },
    {
      kind: 'queue-workers',
      id: 'celery',
      queueUrl: QUEUE('shop-default'),
      deadLetterQueueUrl: QUEUE('shop-default-dlq'),
      workers: { kind: 'asg', autoScalingGroupName: 'shop-workers' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 20,
      alerts: [{ name: 'dead-letters', signal: 'deadLetterMessages', comparison: '>', threshold: 0, evaluationPeriods: 1 }],
    },
    {
      kind: 'ecs-service',
      id: 'admin',
      cluster: 'shop',
      service: 'shop-admin',
      minCapacity: 1,
      maxCapacity: 6,
      customMetrics: [
        {
          name: 'connections',
          metric: { namespace: 'Shop', metricName: 'ConnectionPoolUsedPercent', dimensions: { ServiceName: 'shop-admin' }, period: 10 },
        },
        {
          name: 'queue-share',
          queries: [
            { id: 'busy', metric: { namespace: 'Shop', metricName: 'BusyWorkers', dimensions: { ServiceName: 'shop-admin' }, stat: 'Sum' } },
            { id: 'all', metric: { namespace: 'Shop', metricName: 'Workers', dimensions: { ServiceName: 'shop-admin' }, stat: 'Sum' } },
            { id: 'share', expression: '100 * busy / all', returnData: true },
          ],
        },
      ],
      policy: 'step',
      evaluationIntervalSeconds: 120,
      stepRules: [
        { signal: 'cpu', direction: 'up', comparison: '>', threshold: 80, change: { add: 1 } },
        { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 } },
        { signal: 'memory', direction: 'up', comparison: '>', threshold: 85, change: { percent: 50 } },
        { signal: 'connections', direction: 'up', comparison: '>', threshold: 80, periodSeconds: 10, evaluationPeriods: 3, change: { add: 1 } },
        { signal: 'connections', direction: 'down', comparison: '<', threshold: 20, evaluationPeriods: 5, change: { add: -1 } },
        { signal: 'queue-share', direction: 'up', comparison: '>=', threshold: 90, change: { set: 6 } },
      ],
      alerts: [
        { name: 'pool-full', signal: 'connections', comparison: '>=', threshold: 100, evaluationPeriods: 2 },
        { name: 'memory', signal: 'memory', comparison: '>', threshold: 95, evaluationPeriods: 5 },
      ],
    },
    {
      kind: 'queue-workers',
      id: 'exports',
      queueUrl: QUEUE('shop-exports'),
      workers: { kind: 'ecs-service', cluster: 'shop', service: 'shop-exports-worker' },
      messagesPerSecondPerWorker: 1,
      maxCapacity: 8,
      policy: 'step',
      stepRules: [
        { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 100, evaluationPeriods: 5, change: { add: 1 } },
        { signal: 'ageOfOldestMessage', direction: 'up', comparison: '>', threshold: 600, change: { add: 2 } },
        { signal: 'inFlightMessages', direction: 'down', comparison: '<', threshold: 1, evaluationPeriods: 10, change: { add: -1 } },
      ],
      alerts: [{ name: 'stuck', signal: 'ageOfOldestMessage', comparison: '>', threshold: 3600, evaluationPeriods: 5 }],
    },
    {
      kind: 'queue-workers',
      id: 'reports',
      queueUrl: QUEUE('shop-reports'),
      workers: { kind: 'ecs-service', cluster: 'shop', service: 'shop-reports-worker' },
      messagesPerSecondPerWorker: 1,
      maxCapacity: 8,
    },
    {
      kind: 'rabbitmq-workers',
      id: 'mail',
      broker: 'shop-broker',
      queue: 'mail',
      workers: { kind: 'ecs-service', cluster: 'shop', service: 'shop-mail-worker' },
      messagesPerSecondPerWorker: 5,
      maxCapacity: 6,
    },
    {
      kind: 'redis-workers',
      id: 'tasks',
      broker: {
        host: 'shop-broker.abc123.ng.0001.use1.cache.amazonaws.com',
        queues: ['celery', 'tasks'],
        priorities: true,
        authSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop/broker-auth-AbCdEf`,
        vpc: { subnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'], securityGroupIds: ['sg-0123456789abcdef0'] },
      },
      workers: { kind: 'asg', autoScalingGroupName: 'shop-task-workers' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 12,
    },
    {
      kind: 'rds-replicas',
      id: 'orders-db',
      sourceInstanceIdentifier: 'orders-primary',
      minReplicas: 0,
      maxReplicas: 3,
      route53: { hostedZoneId: 'Z0123456789PRIVATE', recordName: 'read.orders.internal' },
    },
    { kind: 'rds-replicas', id: 'reports-db', clusterIdentifier: 'reports-cluster', replicaInstanceClass: 'db.r6g.large', minReplicas: 0, maxReplicas: 2 },
    { kind: 'rds-storage', id: 'ledger-disk', instanceIdentifier: 'ledger-db', maxAllocatedGiB: 500 },
    {
      kind: 'rds-instance',
      id: 'search-class',
      instanceIdentifier: 'search-db',
      instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge'],
      applyImmediately: true,
    },
    {
      kind: 'redis',
      id: 'cache',
      replicationGroupId: 'shop-cache',
      nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'],
      minReplicasPerShard: 1,
      maxReplicasPerShard: 2,
    },
    {
      kind: 'redis',
      id: 'sessions',
      replicationGroupId: 'shop-sessions',
      nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'],
      minShards: 1,
      maxShards: 4,
      minReplicasPerShard: 1,
      maxReplicasPerShard: 2,
    },
    {
      kind: 'cloudfront',
      id: 'cdn-web',
      distributionId: 'E2QWRUHAPOMQZL',
      triggers: [{ ecsDeployment: { cluster: 'django-shop', service: 'django-shop-web' } }],
    },
    {
      kind: 'cloudfront',
      id: 'cdn-app',
      distributionId: 'E1APPEXAMPLE01',
      triggers: [{ codePipeline: { pipeline: 'django-shop-frontend', paths: ['/index.html', '/app/*'] } }],
    },
    {
      kind: 'cloudfront',
      id: 'cdn-static',
      distributionId: 'E3STATICEXAMPLE',
      triggers: [{ s3: { bucket: 'django-shop-static', prefix: 'static/', pathPrefix: '/static/' } }],
    },
  ],
  windows: [
    { name: 'evening-web', target: 'web', start: 'cron(0 17 * * ? *)', durationMinutes: 240, minCapacity: 1, maxCapacity: 2 },
    { name: 'evening-celery', target: 'celery', start: 'cron(0 17 * * ? *)', end: 'cron(0 21 * * ? *)', minCapacity: 0, maxCapacity: 1 },
  ],
});
