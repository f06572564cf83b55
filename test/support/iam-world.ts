/**
 * The in-memory AWS the deployed functions of one config run against in the IAM check: the
 * simulator's Auto Scaling, ECS and SQS, the runbook tests' RDS, ElastiCache, SSM and Route 53, small
 * CloudWatch, Step Functions, SNS and CloudFront stand-ins, and DynamoDB on dynalite. It knows what
 * IAM needs of its resources at each moment: their tags, their groups, their keys.
 */
import { allAlarms } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { queueParts } from '../../lambdas/shared/kinds/queue-workers';
import { SCALED_BY_TAG } from '../../lambdas/shared/tags';
import { FakeAutoScaling, FakeEcs } from '../../sim/cloud/capacity';
import { CallLog } from '../../sim/cloud/recorder';
import { FakeSqs } from '../../sim/cloud/sqs';
import type { QueueState } from '../../sim/world';
import { type Clock, Fleet } from '../faults/support';
import { awsError, FakeElastiCache, FakeRds, FakeRoute53, FakeSsm } from '../runbooks/fake-aws';
import { type Backend, operationOf } from './iam-calls';
import { groupUuid, type WorldFacts } from './iam-requests';
import { ACCOUNT, REGION } from './iam-template';

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Whether the world's metrics and queues say "scale up" or "scale down". */
export type Load = 'high' | 'low';

const GIB = 1024 ** 3;
/** Each metric's value under high and low load; any other metric is 95 or 1. */
const LEVELS: Record<string, Record<Load, number>> = {
  CPUUtilization: { high: 95, low: 2 },
  EngineCPUUtilization: { high: 95, low: 2 },
  DatabaseMemoryUsagePercentage: { high: 95, low: 3 },
  MemoryUtilization: { high: 95, low: 5 },
  DatabaseConnections: { high: 900, low: 1 },
  CurrConnections: { high: 9000, low: 1 },
  Evictions: { high: 5000, low: 0 },
  FreeStorageSpace: { high: 1 * GIB, low: 90 * GIB },
  FreeableMemory: { high: 64 * 1024 ** 2, low: 64 * GIB },
  ReplicaLag: { high: 1, low: 0 },
  AuroraReplicaLagMaximum: { high: 10, low: 1 },
  RequestCountPerTarget: { high: 5000, low: 1 },
  RequestCount: { high: 50_000, low: 1 },
  TargetResponseTime: { high: 5, low: 0.01 },
  MessageReadyCount: { high: 20_000, low: 0 },
  MessageUnacknowledgedCount: { high: 40, low: 0 },
  QueueDepth: { high: 20_000, low: 0 },
  UnackedMessages: { high: 40, low: 0 },
};

/** CloudWatch as a level: every datapoint of every metric at its high or low value, alarms to match. */
export class LevelCloudWatch {
  load: Load = 'high';
  /** From this time (epoch ms) no datapoint is published and every alarm is in INSUFFICIENT_DATA. */
  silentFrom?: number;
  constructor(
    private readonly config: AutoscalerConfig,
    private readonly now: () => number,
  ) {}

  async send(command: unknown): Promise<unknown> {
    const input = (command as { input: Input }).input;
    switch (operationOf(command)) {
      case 'GetMetricData': {
        const end = Math.min(new Date(input.EndTime).getTime(), this.now());
        const start = new Date(input.StartTime).getTime();
        return {
          MetricDataResults: (input.MetricDataQueries as Input[]).map((q) => {
            const period = (q.MetricStat?.Period ?? q.Period ?? 60) * 1000;
            const timestamps: Date[] = [];
            for (let t = Math.floor(end / period) * period - period; t >= start; t -= period)
              if (this.silentFrom === undefined || t < this.silentFrom) timestamps.push(new Date(t));
            const level = LEVELS[q.MetricStat?.Metric?.MetricName as string]?.[this.load] ?? (this.load === 'high' ? 95 : 1);
            return { Id: q.Id, Label: q.Id, Timestamps: timestamps, Values: timestamps.map(() => level), StatusCode: 'Complete' };
          }),
        };
      }
      case 'DescribeAlarms': {
        const names: string[] | undefined = input.AlarmNames;
        const alarms = allAlarms(this.config)
          .filter((a) => (names ? names.includes(a.name) : a.name.startsWith(input.AlarmNamePrefix ?? '')))
          .map((a) => ({
            AlarmName: a.name,
            StateValue: this.silentFrom !== undefined ? 'INSUFFICIENT_DATA' : a.direction === this.load ? 'ALARM' : 'OK',
            StateUpdatedTimestamp: new Date(this.now() - 600_000),
          }))
          .filter((a) => !input.StateValue || a.StateValue === input.StateValue);
        return { MetricAlarms: alarms, CompositeAlarms: [] };
      }
      default:
        throw new Error(`in-memory CloudWatch does not implement ${operationOf(command)}`);
    }
  }
}

/** Step Functions: starts are recorded (the test runs them), names are unique as AWS keeps them. */
export class StartedExecutions {
  readonly started: { stateMachineArn: string; name: string; input: Record<string, unknown> }[] = [];
  async send(command: unknown): Promise<unknown> {
    const input = (command as { input: Input }).input;
    if (operationOf(command) !== 'StartExecution') throw new Error(`in-memory Step Functions does not implement ${operationOf(command)}`);
    if (this.started.some((s) => s.stateMachineArn === input.stateMachineArn && s.name === input.name))
      throw awsError('ExecutionAlreadyExists', 'Execution Already Exists');
    this.started.push({ stateMachineArn: input.stateMachineArn, name: input.name, input: JSON.parse(input.input ?? '{}') });
    return { executionArn: `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() };
  }
}

/** CloudFront as the cdn function sees it: invalidations complete at the first look after creation. */
export class InMemoryCloudFront {
  readonly invalidations: { distributionId: string; id: string; ref: string; paths: string[]; looks: number }[] = [];
  async send(command: unknown): Promise<unknown> {
    const input = (command as { input: Input }).input;
    const status = (i: { looks: number }) => (i.looks > 0 ? 'Completed' : 'InProgress');
    const render = (i: InMemoryCloudFront['invalidations'][number]) => ({
      Id: i.id,
      Status: status(i),
      InvalidationBatch: { CallerReference: i.ref, Paths: { Quantity: i.paths.length, Items: i.paths } },
    });
    switch (operationOf(command)) {
      case 'GetDistribution':
        return {
          Distribution: {
            Id: input.Id,
            Status: 'Deployed',
            DomainName: `${String(input.Id).toLowerCase()}.cloudfront.net`,
            DistributionConfig: { Enabled: true },
          },
        };
      case 'CreateInvalidation': {
        const ref = input.InvalidationBatch.CallerReference;
        const same = this.invalidations.find((i) => i.distributionId === input.DistributionId && i.ref === ref);
        if (same) return { Invalidation: render(same) };
        const inv = {
          distributionId: input.DistributionId,
          id: `I${this.invalidations.length + 1}EXAMPLE`,
          ref,
          paths: input.InvalidationBatch.Paths.Items,
          looks: 0,
        };
        this.invalidations.push(inv);
        return { Location: `https://cloudfront.amazonaws.com/${inv.id}`, Invalidation: render(inv) };
      }
      case 'GetInvalidation': {
        const inv = this.invalidations.find((i) => i.distributionId === input.DistributionId && i.id === input.Id);
        if (!inv) throw awsError('NoSuchInvalidation');
        const answer = render(inv);
        inv.looks++;
        return { Invalidation: answer };
      }
      case 'ListInvalidations': {
        const items = this.invalidations.filter((i) => i.distributionId === input.DistributionId).reverse();
        return { InvalidationList: { IsTruncated: false, Quantity: items.length, Items: items.map((i) => ({ Id: i.id, Status: status(i) })) } };
      }
      default:
        throw new Error(`in-memory CloudFront does not implement ${operationOf(command)}`);
    }
  }
}

/** SNS: every publish accepted. */
export class PublishedMessages {
  readonly messages: Input[] = [];
  async send(command: unknown): Promise<unknown> {
    if (operationOf(command) !== 'Publish') throw new Error(`in-memory SNS does not implement ${operationOf(command)}`);
    this.messages.push((command as { input: Input }).input);
    return { MessageId: `m-${this.messages.length}` };
  }
}

/** Sends each command to the fake whose group it names. */
class ElastiCacheGroups {
  constructor(readonly groups: readonly FakeElastiCache[]) {}
  send(command: unknown): Promise<unknown> {
    const id = (command as { input: Input }).input.ReplicationGroupId;
    const fake = this.groups.find((g) => g.group.id === id);
    if (!fake) throw awsError('ReplicationGroupNotFoundFault', `ReplicationGroup ${id} not found.`);
    return fake.client.send(command as never) as Promise<unknown>;
  }
}

export interface WorldSpec {
  readonly config: AutoscalerConfig;
  readonly clock: Clock;
  /** ARN of the notification topic and its key (from the template). */
  readonly topic?: { readonly arn: string; readonly keyArn?: string };
  /** Replication groups with cluster mode enabled (two shards); the others have one shard. */
  readonly clusterModeGroups?: readonly string[];
}

/** A customer managed key of the account, as encrypted sources and groups would use. */
export const DATA_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export class IamWorld implements WorldFacts {
  readonly log: CallLog;
  readonly cloudWatch: LevelCloudWatch;
  readonly stepFunctions = new StartedExecutions();
  readonly cloudFront = new InMemoryCloudFront();
  readonly sns = new PublishedMessages();
  readonly rds = new FakeRds();
  readonly ssm = new FakeSsm();
  readonly route53 = new FakeRoute53();
  readonly caches: FakeElastiCache[] = [];
  readonly fleets = new Map<string, Fleet>();
  readonly queues = new Map<string, QueueState>();
  /** Resource ARN -> the customer managed key it is encrypted with. */
  readonly keys = new Map<string, string>();
  /**
   * Every resource the config names, as IAM names it: the user has tagged each with
   * `autoscaler:scaled-by=<prefix>` (what `permissions: by-tag` asks of them; harmless otherwise).
   */
  readonly scaledByTag = new Set<string>();
  private readonly groups = new Map<string, { optionGroup: string; parameterGroup: string; subnetGroup: string }>();

  constructor(private readonly spec: WorldSpec) {
    const { config, clock } = spec;
    this.log = new CallLog(() => clock.now);
    this.cloudWatch = new LevelCloudWatch(config, () => clock.now);
    if (spec.topic?.keyArn) this.keys.set(spec.topic.arn, spec.topic.keyArn);
    this.rds.settleLooks = 1;
    for (const t of config.targets) for (const arn of this.namedBy(t)) this.scaledByTag.add(arn);
    for (const t of config.targets) {
      switch (t.kind) {
        case 'rds-replicas':
          if (t.clusterIdentifier) {
            this.rds.clusters.set(t.clusterIdentifier, { id: t.clusterIdentifier, status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 7 });
            this.rds.add({
              id: `${t.clusterIdentifier}-writer`,
              status: 'available',
              clusterId: t.clusterIdentifier,
              engine: 'aurora-postgresql',
              tags: { role: 'writer' },
            });
            this.keys.set(this.arn('rds', `cluster:${t.clusterIdentifier}`), DATA_KEY);
          } else this.database(t.sourceInstanceIdentifier!);
          break;
        case 'rds-storage':
        case 'rds-instance':
          this.database(t.instanceIdentifier);
          break;
        case 'redis': {
          const cache = new FakeElastiCache();
          const clusterMode = spec.clusterModeGroups?.includes(t.replicationGroupId) ?? false;
          Object.assign(cache.group, { id: t.replicationGroupId, nodeType: t.nodeTypeLadder[1], clusterMode, shards: clusterMode ? 2 : 1, replicas: 1 });
          cache.allowed = { up: t.nodeTypeLadder.slice(2), down: t.nodeTypeLadder.slice(0, 1) };
          cache.settleLooks = 1;
          this.caches.push(cache);
          this.keys.set(this.arn('elasticache', `replicationgroup:${t.replicationGroupId}`), DATA_KEY);
          break;
        }
        case 'asg':
        case 'ecs-service':
          this.fleets.set(t.id, new Fleet(clock, 4, 0));
          break;
        case 'rabbitmq-workers':
        case 'redis-workers':
          this.fleets.set(t.id, new Fleet(clock, 2, 0));
          break;
        case 'queue-workers':
          this.fleets.set(t.id, new Fleet(clock, 2, 0));
          this.queues.set(t.queueUrl, { visible: 0, notVisible: 0, ageOfOldest: 0 });
          if (t.deadLetterQueueUrl) this.queues.set(t.deadLetterQueueUrl, { visible: 3, notVisible: 0, ageOfOldest: 600 });
          break;
      }
    }
  }

  /** The ARNs of the resources a target names (fleets, queues, databases, groups, distributions). */
  private namedBy(t: AutoscalerConfig['targets'][number]): string[] {
    const group = (name: string) => this.arn('autoscaling', `autoScalingGroup:${groupUuid(name)}:autoScalingGroupName/${name}`);
    const service = (cluster: string, name: string) => this.arn('ecs', `service/${cluster}/${name}`);
    const queue = (url: string) => {
      const q = queueParts(url);
      return `arn:aws:sqs:${q.region}:${q.account}:${q.name}`;
    };
    switch (t.kind) {
      case 'asg':
        return [group(t.autoScalingGroupName)];
      case 'ecs-service':
        return [service(t.cluster, t.service)];
      case 'queue-workers':
      case 'rabbitmq-workers':
      case 'redis-workers': {
        const fleet = t.workers.kind === 'asg' ? group(t.workers.autoScalingGroupName) : service(t.workers.cluster, t.workers.service);
        const queues = t.kind === 'queue-workers' ? [t.queueUrl, ...(t.deadLetterQueueUrl ? [t.deadLetterQueueUrl] : [])].map(queue) : [];
        return [fleet, ...queues];
      }
      case 'rds-replicas':
        return [t.clusterIdentifier ? this.arn('rds', `cluster:${t.clusterIdentifier}`) : this.arn('rds', `db:${t.sourceInstanceIdentifier}`)];
      case 'rds-storage':
      case 'rds-instance':
        return [this.arn('rds', `db:${t.instanceIdentifier}`)];
      case 'redis':
        return [this.arn('elasticache', `replicationgroup:${t.replicationGroupId}`)];
      case 'cloudfront':
        return [`arn:aws:cloudfront::${ACCOUNT}:distribution/${t.distributionId}`];
    }
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  }

  private database(id: string): void {
    if (this.rds.instances.has(id)) return;
    this.rds.add({ id, status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge', allocatedGiB: 100 });
    this.groups.set(id, { optionGroup: 'default:postgres-16', parameterGroup: 'default.postgres16', subnetGroup: 'default' });
    this.keys.set(this.arn('rds', `db:${id}`), DATA_KEY);
  }

  /** The in-memory AWS by IAM service prefix; DynamoDB goes to dynalite through the client's own endpoint. */
  backends(): Record<string, Backend> {
    const { config } = this.spec;
    const asgs = config.targets.flatMap((t) =>
      t.kind === 'asg'
        ? [{ name: t.autoScalingGroupName, minSize: 0, maxSize: 100, backend: this.fleets.get(t.id)! }]
        : (t.kind === 'queue-workers' || t.kind === 'rabbitmq-workers' || t.kind === 'redis-workers') && t.workers.kind === 'asg'
          ? [{ name: t.workers.autoScalingGroupName, minSize: 0, maxSize: 100, backend: this.fleets.get(t.id)! }]
          : [],
    );
    const services = config.targets.flatMap((t) =>
      t.kind === 'ecs-service'
        ? [{ cluster: t.cluster, service: t.service, backend: this.fleets.get(t.id)! }]
        : (t.kind === 'queue-workers' || t.kind === 'rabbitmq-workers' || t.kind === 'redis-workers') && t.workers.kind === 'ecs-service'
          ? [{ cluster: t.workers.cluster, service: t.workers.service, backend: this.fleets.get(t.id)! }]
          : [],
    );
    const queues = new Map([...this.queues.keys()].map((url) => [url, () => this.queues.get(url)!]));
    const mocked = (fake: { client: { send(c: never): unknown } }) => ({ send: (c: unknown) => fake.client.send(c as never) as Promise<unknown> });
    return {
      autoscaling: new FakeAutoScaling(asgs, this.log),
      ecs: new FakeEcs(services, this.log),
      sqs: new FakeSqs(queues, this.log),
      cloudwatch: this.cloudWatch,
      states: this.stepFunctions,
      cloudfront: this.cloudFront,
      sns: this.sns,
      rds: mocked(this.rds),
      elasticache: new ElastiCacheGroups(this.caches),
      ssm: mocked(this.ssm),
      route53: mocked(this.route53),
      dynamodb: 'passthrough',
    };
  }

  /** Metrics, alarms and queues all say scale up (`high`) or scale down (`low`). */
  setLoad(load: Load): void {
    this.cloudWatch.load = load;
    for (const url of this.queues.keys()) {
      if (url.endsWith('-dlq')) continue;
      this.queues.set(url, load === 'high' ? { visible: 20_000, notVisible: 40, ageOfOldest: 3000 } : { visible: 0, notVisible: 0, ageOfOldest: 0 });
    }
  }

  // ------------------------------------------------------------------ WorldFacts

  tagsOf(arn: string): Readonly<Record<string, string>> | undefined {
    const db = /:rds:[^:]+:\d+:db:(.+)$/.exec(arn);
    const own = db ? this.rds.instances.get(db[1])?.tags : undefined;
    return this.scaledByTag.has(arn) ? { ...own, [SCALED_BY_TAG]: this.spec.config.prefix } : own;
  }

  rdsGroupsOf(instanceId: string) {
    const g = this.groups.get(instanceId);
    if (!g) throw new Error(`the world has no RDS instance ${instanceId}`);
    return g;
  }

  alarmsUnder(prefix: string): readonly string[] {
    return allAlarms(this.spec.config)
      .map((a) => a.name)
      .filter((n) => n.startsWith(prefix));
  }

  keyOf(arn: string): string | undefined {
    return this.keys.get(arn);
  }
}
