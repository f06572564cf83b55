/**
 * In-memory Auto Scaling and ECS, both backed by a simulated fleet: billed = desired, ready after
 * provisioning (InService / running), provisioning ones Pending / pending.
 */
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

/** A fleet the fake services read and change (the simulator's World implements it). */
export interface CapacityBackend {
  readonly desired: number;
  setDesired(n: number): void;
  /** Every unit, oldest first, with its launch number and whether it serves now. */
  units(): readonly { readonly serial: number; readonly ready: boolean }[];
}

export interface GroupConfig {
  readonly name: string;
  minSize: number;
  maxSize: number;
  readonly backend: CapacityBackend;
}

/** Instance ids by group and launch number: the same every time, so computed once. */
const instanceIds = new Map<string, string>();

function instanceId(group: string, serial: number): string {
  const seed = `${group}/${serial}`;
  let id = instanceIds.get(seed);
  if (id === undefined) {
    id = `i-${uuidLike(seed).replace(/-/g, '').slice(0, 17)}`;
    instanceIds.set(seed, id);
  }
  return id;
}

export class FakeAutoScaling {
  private readonly groups = new Map<string, GroupConfig>();
  private requests = 0;
  constructor(
    groups: readonly GroupConfig[],
    private readonly log: CallLog,
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {
    for (const g of groups) this.groups.set(g.name, g);
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('autoscaling', name, input);
    const meta = metadata(uuidLike(`autoscaling/${++this.requests}`));
    switch (name) {
      case 'DescribeAutoScalingGroupsCommand': {
        const names: string[] | undefined = input.AutoScalingGroupNames;
        const groups = [...this.groups.values()].filter((g) => !names || names.includes(g.name));
        return { AutoScalingGroups: groups.map((g) => this.describe(g)), ...meta };
      }
      case 'SetDesiredCapacityCommand': {
        const g = this.group(input.AutoScalingGroupName);
        const n = input.DesiredCapacity;
        if (typeof n !== 'number' || !Number.isInteger(n)) throw new FakeServiceError('ValidationError', `DesiredCapacity must be a whole number.`);
        if (n > g.maxSize)
          throw new FakeServiceError('ValidationError', `New SetDesiredCapacity value ${n} is above max value ${g.maxSize} for the AutoScalingGroup.`);
        if (n < g.minSize)
          throw new FakeServiceError('ValidationError', `New SetDesiredCapacity value ${n} is below min value ${g.minSize} for the AutoScalingGroup.`);
        g.backend.setDesired(n);
        return { ...meta };
      }
      case 'UpdateAutoScalingGroupCommand': {
        const g = this.group(input.AutoScalingGroupName);
        const min = input.MinSize ?? g.minSize,
          max = input.MaxSize ?? g.maxSize;
        if (min > max) throw new FakeServiceError('ValidationError', `Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
        g.minSize = min;
        g.maxSize = max;
        const desired = input.DesiredCapacity ?? Math.min(max, Math.max(min, g.backend.desired));
        if (desired < min || desired > max) {
          throw new FakeServiceError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
        }
        if (desired !== g.backend.desired) g.backend.setDesired(desired);
        return { ...meta };
      }
      default:
        throw new Error(`in-memory Auto Scaling does not implement ${name}`);
    }
  }

  private group(name: unknown): GroupConfig {
    const g = typeof name === 'string' ? this.groups.get(name) : undefined;
    if (!g) throw new FakeServiceError('ValidationError', `AutoScalingGroup name not found - ${String(name)}`);
    return g;
  }

  private describe(g: GroupConfig) {
    return {
      AutoScalingGroupName: g.name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${this.region}:${this.account}:autoScalingGroup:${uuidLike(g.name)}:autoScalingGroupName/${g.name}`,
      MinSize: g.minSize,
      MaxSize: g.maxSize,
      DesiredCapacity: g.backend.desired,
      DefaultCooldown: 300,
      AvailabilityZones: [`${this.region}a`, `${this.region}b`],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(0),
      Instances: g.backend.units().map((u) => ({
        InstanceId: instanceId(g.name, u.serial),
        InstanceType: 'm6i.large',
        AvailabilityZone: `${this.region}${u.serial % 2 ? 'b' : 'a'}`,
        LifecycleState: u.ready ? ('InService' as const) : ('Pending' as const),
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
      })),
      SuspendedProcesses: [],
      EnabledMetrics: [],
      Tags: [],
      TerminationPolicies: ['Default'],
      NewInstancesProtectedFromScaleIn: false,
    };
  }
}

export interface ServiceConfig {
  readonly cluster: string;
  readonly service: string;
  readonly backend: CapacityBackend;
}

export class FakeEcs {
  private readonly services = new Map<string, ServiceConfig>();
  private requests = 0;
  constructor(
    services: readonly ServiceConfig[],
    private readonly log: CallLog,
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {
    for (const s of services) this.services.set(`${s.cluster}/${s.service}`, s);
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('ecs', name, input);
    const meta = metadata(uuidLike(`ecs/${++this.requests}`));
    const cluster = this.clusterName(input.cluster);
    switch (name) {
      case 'DescribeServicesCommand': {
        const found = [],
          failures = [];
        for (const s of (input.services ?? []) as string[]) {
          const svc = this.services.get(`${cluster}/${this.lastPart(s)}`);
          if (svc) found.push(this.describe(svc));
          else failures.push({ arn: this.serviceArn(cluster, this.lastPart(s)), reason: 'MISSING' });
        }
        return { services: found, failures, ...meta };
      }
      case 'UpdateServiceCommand': {
        const svc = this.services.get(`${cluster}/${this.lastPart(input.service ?? '')}`);
        if (!svc) throw new FakeServiceError('ServiceNotFoundException', 'Service not found.');
        if (input.desiredCount !== undefined) {
          const n = input.desiredCount;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
            throw new FakeServiceError('InvalidParameterException', 'desiredCount must be a whole number >= 0.');
          svc.backend.setDesired(n);
        }
        return { service: this.describe(svc), ...meta };
      }
      default:
        throw new Error(`in-memory ECS does not implement ${name}`);
    }
  }

  private clusterName(c: unknown): string {
    return typeof c === 'string' ? this.lastPart(c) : 'default';
  }

  private lastPart(s: string): string {
    return s.includes('/') ? s.slice(s.lastIndexOf('/') + 1) : s;
  }

  private serviceArn(cluster: string, service: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:service/${cluster}/${service}`;
  }

  private describe(s: ServiceConfig) {
    const units = s.backend.units();
    const running = units.filter((u) => u.ready).length;
    return {
      serviceArn: this.serviceArn(s.cluster, s.service),
      serviceName: s.service,
      clusterArn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${s.cluster}`,
      status: 'ACTIVE',
      desiredCount: s.backend.desired,
      runningCount: running,
      pendingCount: units.length - running,
      launchType: 'FARGATE',
      deployments: [],
      events: [],
    };
  }
}
