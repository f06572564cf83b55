/** CloudWatch alarms synthesized verbatim from the shared `AlarmSpec`s (lambdas/shared/alarms.ts). */
import { NestedStack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, type IConstruct } from 'constructs';
import type { AlarmSpec } from '../../lambdas/shared/alarms';

const STANDARD_STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

/** Whether `stat` goes to `Statistic` (the five standard ones) or to `ExtendedStatistic` (p95, tm99...). */
export function isStandardStatistic(stat: string): boolean {
  return STANDARD_STATISTICS.has(stat);
}

/**
 * One alarm, named exactly as the spec says. No alarm actions: EventBridge receives every state change
 * of every alarm without them, and the family rule selects this deployment's by name prefix.
 */
export function createSpecAlarm(scope: Construct, spec: AlarmSpec): cloudwatch.CfnAlarm {
  if (spec.math) return createMathAlarm(scope, spec, spec.math);
  return new cloudwatch.CfnAlarm(scope, `${spec.signal}-${spec.direction}`, metricAlarmProps(spec));
}

/** What a plain metric alarm is (name, metric, statistic, M of N, threshold), before its actions. */
export interface MetricAlarmSpec {
  readonly name: string;
  readonly description: string;
  readonly metric: { readonly namespace: string; readonly metricName: string; readonly dimensions: Readonly<Record<string, string>>; readonly stat: string };
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly treatMissingData: string;
}

/** The properties of a plain metric alarm: a standard statistic or a percentile (ExtendedStatistic). */
export function metricAlarmProps(spec: MetricAlarmSpec): cloudwatch.CfnAlarmProps {
  const standard = isStandardStatistic(spec.metric.stat);
  return {
    alarmName: spec.name,
    alarmDescription: spec.description,
    namespace: spec.metric.namespace,
    metricName: spec.metric.metricName,
    dimensions: Object.entries(spec.metric.dimensions).map(([name, value]) => ({ name, value })),
    statistic: standard ? spec.metric.stat : undefined,
    extendedStatistic: standard ? undefined : spec.metric.stat,
    period: spec.periodSeconds,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    treatMissingData: spec.treatMissingData,
  };
}

/**
 * A metric math alarm: the queries go to `Metrics` (each metric with the spec's period), and the alarm
 * has no metric, statistic or period of its own (AWS::CloudWatch::Alarm: "If you specify Metrics, you
 * cannot specify MetricName, Dimensions, Period, Namespace, Statistic, ExtendedStatistic, or Unit").
 */
function createMathAlarm(scope: Construct, spec: AlarmSpec, queries: NonNullable<AlarmSpec['math']>): cloudwatch.CfnAlarm {
  return new cloudwatch.CfnAlarm(scope, `${spec.signal}-${spec.direction}`, mathAlarmProps(spec, queries));
}

/** The properties of a metric math alarm (`queries`, each metric at the spec's period), before its actions. */
export function mathAlarmProps(spec: Omit<MetricAlarmSpec, 'metric'>, queries: NonNullable<AlarmSpec['math']>): cloudwatch.CfnAlarmProps {
  return {
    alarmName: spec.name,
    alarmDescription: spec.description,
    metrics: queries.map((q) => ({
      id: q.id,
      returnData: q.returnData,
      ...(q.metric
        ? {
            metricStat: {
              metric: {
                namespace: q.metric.namespace,
                metricName: q.metric.metricName,
                dimensions: Object.entries(q.metric.dimensions).map(([name, value]) => ({ name, value })),
              },
              period: spec.periodSeconds,
              stat: q.metric.stat,
            },
          }
        : { expression: q.expression }),
    })),
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    treatMissingData: spec.treatMissingData,
  };
}

/**
 * All alarms of one target, keyed by alarm name. Under a scope given to `AlarmStacks`, they go into
 * one of its nested stacks instead of `scope` (alarms have no actions and no references, so they may
 * live anywhere).
 */
export function createSpecAlarms(scope: Construct, specs: readonly AlarmSpec[]): Record<string, cloudwatch.CfnAlarm> {
  const parent = alarmHome(scope, specs.length);
  const out: Record<string, cloudwatch.CfnAlarm> = {};
  for (const spec of specs) out[spec.name] = createSpecAlarm(parent, spec);
  return out;
}

/**
 * Where `count` alarms of the construct `owner` go: a scope in one of the nested stacks when `owner`
 * is under the scope given to `AlarmStacks`, else `owner` itself.
 */
export function alarmHome(owner: Construct, count: number): Construct {
  const home = owner.node.scopes.map((s) => HOMES.get(s)).find((h) => h !== undefined);
  return home ? home.scopeFor(owner, count) : owner;
}

const HOMES = new WeakMap<IConstruct, AlarmStacks>();

export interface AlarmStacksProps {
  /** The targets' alarms created below this scope go into the nested stacks. */
  readonly targetsScope: Construct;
  /** Most resources (alarms and anything else added with `stackFor`) in one nested stack. */
  readonly resourcesPerStack: number;
  /** Description of each nested stack. */
  readonly description: string;
}

/**
 * Nested stacks that hold the per-target resources without references (alarms, dashboards), so that
 * no stack grows past CloudFormation's 500 resources, whatever the number of targets. A target's
 * alarms all go into one stack, under a construct named like the target.
 */
export class AlarmStacks extends Construct {
  public readonly stacks: NestedStack[] = [];
  private used = 0;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AlarmStacksProps,
  ) {
    super(scope, id);
    if (HOMES.has(props.targetsScope)) throw new Error(`${props.targetsScope.node.path} already has nested stacks for its alarms`);
    HOMES.set(props.targetsScope, this);
  }

  /** The nested stack that takes `count` more resources, a new one when the current one is full. */
  stackFor(count: number): NestedStack {
    if (count > this.props.resourcesPerStack) throw new Error(`${count} resources do not fit in one nested stack (at most ${this.props.resourcesPerStack})`);
    if (!this.stacks.length || this.used + count > this.props.resourcesPerStack) {
      this.stacks.push(new NestedStack(this, `Stack${this.stacks.length + 1}`, { description: `${this.props.description} (${this.stacks.length + 1})` }));
      this.used = 0;
    }
    this.used += count;
    return this.stacks[this.stacks.length - 1];
  }

  /** Where the `count` alarms of the target construct `owner` go. */
  scopeFor(owner: Construct, count: number): Construct {
    return new Construct(this.stackFor(count), owner.node.id);
  }
}
