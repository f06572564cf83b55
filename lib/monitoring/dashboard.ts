/**
 * One CloudWatch dashboard per deployment. A row per target: each signal against its alarm
 * thresholds (horizontal annotations), desired against in-service units, and the autoscaler's own
 * decisions, actions and failures. Then a row on the autoscaler itself: dead-letter queue, functions,
 * state machines. The only part of the deployment that grows with the number of targets is its widgets.
 *
 * Desired against in-service, and the graphs of a kind's own (queue depth, cache memory, replica lag),
 * are declared by each kind with its construct (lib/targets, `units` and `widgets`). The units graph
 * needs the group metrics of each Auto Scaling group (`EnableMetricsCollection`) and Container
 * Insights on each ECS cluster (`DesiredTaskCount`, `RunningTaskCount`).
 *
 * A dashboard holds at most 500 widgets (CloudWatch's DashboardBody: "an array of between 0 and 500
 * widget objects"), and its body is a string in a CloudFormation template of at most 1 MB. Past either,
 * the targets' rows continue on numbered dashboards (`<name>-2`, `<name>-3`...), each in a nested stack
 * of its own; a target's row is never split. The first dashboard keeps room for the autoscaler's own row.
 */
import { Duration, NestedStack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type AlarmSpec, alarmsForTarget } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig, TargetConfig } from '../../lambdas/shared/config';
import { parseMath, referencedIds } from '../../lambdas/shared/metric-math';
import { infrastructureOf } from '../targets';
import { DASHBOARD_PERIOD } from './units';
import { metricOf, WIDGET_HEIGHT, WIDGET_WIDTH } from './widgets';

/** The namespace and the `service` dimension the functions' EMF metrics carry (Powertools). */
export const AUTOSCALER_NAMESPACE = 'Autoscaler';
export const AUTOSCALER_SERVICE = 'autoscaler';

export interface AutoscalerDashboardProps {
  readonly config: AutoscalerConfig;
  /** The functions, by a short name (their family). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * State machines whose executions are shown, by name.
   * @default none
   */
  readonly stateMachines?: Readonly<Record<string, sfn.IStateMachine>>;
  /**
   * The dashboard's name.
   * @default `<prefix>-autoscaler`
   */
  readonly dashboardName?: string;
}

/** Most widgets on one dashboard (CloudWatch). */
export const MAX_DASHBOARD_WIDGETS = 500;
/**
 * Most characters of one dashboard's body, as the CDK renders its widgets: a dashboard of its own nested
 * stack stays well within CloudFormation's 1 MB template once the body is escaped into it.
 */
export const MAX_DASHBOARD_BODY = 400_000;
/** Widgets and characters the first dashboard keeps for the autoscaler's own row and its runbooks' graphs. */
const RESERVED_WIDGETS = 24;
const RESERVED_BODY = 40_000;

const PERIOD = DASHBOARD_PERIOD;
const WIDTH = WIDGET_WIDTH;
const HEIGHT = WIDGET_HEIGHT;

export class AutoscalerDashboard extends Construct {
  /** The first dashboard: the first targets, then the autoscaler's own row (its name is a stack output). */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every dashboard, the first one first; more than one when the targets' widgets pass a dashboard's limits. */
  public readonly dashboards: readonly cloudwatch.Dashboard[];

  constructor(scope: Construct, id: string, props: AutoscalerDashboardProps) {
    super(scope, id);
    const { config } = props;
    const name = props.dashboardName ?? `${config.prefix}-autoscaler`;

    // Each target's row (its heading and widgets) on the first dashboard it fits on, in config order.
    const pages: { rows: cloudwatch.IWidget[][]; widgets: number; body: number }[] = [{ rows: [], widgets: RESERVED_WIDGETS, body: RESERVED_BODY }];
    for (const target of config.targets) {
      const row = [new cloudwatch.TextWidget({ markdown: `## ${target.id} (${target.kind})`, width: 24, height: 1 }), ...targetWidgets(config.prefix, target)];
      const body = row.reduce((sum, w) => sum + JSON.stringify(w.toJson()).length + 1, 0);
      let page = pages[pages.length - 1];
      if (page.rows.length && (page.widgets + row.length > MAX_DASHBOARD_WIDGETS || page.body + body > MAX_DASHBOARD_BODY)) {
        page = { rows: [], widgets: 1, body: 200 };
        pages.push(page);
      }
      page.rows.push(row);
      page.widgets += row.length;
      page.body += body;
    }
    this.dashboards = pages.map((page, i) => {
      const home =
        i === 0 ? this : new NestedStack(this, `Dashboard${i + 1}Stack`, { description: `${config.prefix} autoscaler: dashboard ${i + 1} of ${pages.length}` });
      const dashboard = new cloudwatch.Dashboard(home, i === 0 ? 'Dashboard' : `Dashboard${i + 1}`, {
        dashboardName: i === 0 ? name : `${name}-${i + 1}`,
        defaultInterval: Duration.hours(6),
      });
      if (i > 0)
        dashboard.addWidgets(
          new cloudwatch.TextWidget({ markdown: `# ${name} (${i + 1} of ${pages.length}): the autoscaler's own graphs are on ${name}`, width: 24, height: 1 }),
        );
      for (const row of page.rows) {
        dashboard.addWidgets(row[0]);
        dashboard.addWidgets(...row.slice(1));
      }
      return dashboard;
    });
    this.dashboard = this.dashboards[0];
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## The autoscaler', width: 24, height: 1 }));
    this.dashboard.addWidgets(...healthWidgets(props));
    for (const [name, machine] of Object.entries(props.stateMachines ?? {})) this.addStateMachine(name, machine);
  }

  /** A graph of one state machine's executions: started, succeeded, failed, timed out. */
  addStateMachine(name: string, machine: sfn.IStateMachine): void {
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `state machine ${name}: executions`,
        left: [
          machine.metricStarted({ period: PERIOD, statistic: 'Sum', label: 'started' }),
          machine.metricSucceeded({ period: PERIOD, statistic: 'Sum', label: 'succeeded' }),
          machine.metricFailed({ period: PERIOD, statistic: 'Sum', label: 'failed' }),
          machine.metricTimedOut({ period: PERIOD, statistic: 'Sum', label: 'timed out' }),
        ],
        width: WIDTH,
        height: HEIGHT,
      }),
    );
  }
}

/** The widgets of one target: its signals with their thresholds, its units, the autoscaler's actions. */
export function targetWidgets(prefix: string, target: TargetConfig): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [];
  // One graph per signal: its metric, and every alarm threshold on it as a horizontal line.
  const bySignal = new Map<string, AlarmSpec[]>();
  for (const spec of alarmsForTarget(prefix, target)) bySignal.set(spec.signal, [...(bySignal.get(spec.signal) ?? []), spec]);
  for (const [signal, specs] of bySignal) {
    widgets.push(
      new cloudwatch.GraphWidget({
        title: `${target.id}: ${signal}`,
        left: [graphOf(specs[0], signal)],
        leftAnnotations: specs.map((s) => ({
          value: s.threshold,
          label: `${s.direction === 'high' ? 'scale out above' : 'scale in below'} ${s.threshold}`,
          color: s.direction === 'high' ? cloudwatch.Color.RED : cloudwatch.Color.BLUE,
        })),
        width: WIDTH,
        height: HEIGHT,
      }),
    );
  }
  const infrastructure = infrastructureOf(target);
  const units = infrastructure.units?.(target);
  if (units) {
    widgets.push(
      new cloudwatch.GraphWidget({
        title: `${target.id}: desired vs in service`,
        left: [units.desired, units.actual],
        leftAnnotations:
          'minCapacity' in target
            ? [
                { value: target.minCapacity, label: `min ${target.minCapacity}`, color: cloudwatch.Color.GREY },
                { value: target.maxCapacity, label: `max ${target.maxCapacity}`, color: cloudwatch.Color.GREY },
              ]
            : [],
        leftYAxis: { min: 0 },
        width: WIDTH,
        height: HEIGHT,
      }),
    );
  }
  // The kind's own graphs (queue depth, cache memory, replica lag), declared with its construct.
  widgets.push(...(infrastructure.widgets?.(target, prefix) ?? []));
  widgets.push(
    new cloudwatch.GraphWidget({
      title: `${target.id}: autoscaler`,
      left: (['Decisions', 'Actions', 'Failures'] as const).map((name) => autoscalerMetric(target, name)),
      right: [autoscalerMetric(target, 'AlarmToActionLatency', 'Maximum')],
      rightYAxis: { label: 'alarm to action (ms)', min: 0 },
      leftYAxis: { min: 0 },
      width: WIDTH,
      height: HEIGHT,
    }),
  );
  return widgets;
}

/** The autoscaler's EMF metric of one target (dimensions: service, target, kind). */
export function autoscalerMetric(target: TargetConfig, metricName: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: AUTOSCALER_NAMESPACE,
    metricName,
    dimensionsMap: { service: AUTOSCALER_SERVICE, target: target.id, kind: target.kind },
    statistic,
    period: PERIOD,
  });
}

/** What an alarm watches, as a graph line: its metric, or its metric math expression over its queries. */
function graphOf(spec: AlarmSpec, label: string): cloudwatch.IMetric {
  const queries = spec.math;
  if (!queries) return metricOf(spec.metric, label);
  const build = (id: string): cloudwatch.IMetric => {
    const q = queries.find((x) => x.id === id);
    if (!q) throw new Error(`alarm ${spec.name}: no query ${id}`);
    if (q.metric) return metricOf(q.metric, id);
    const expression = q.expression ?? '';
    return new cloudwatch.MathExpression({
      expression,
      usingMetrics: Object.fromEntries(referencedIds(parseMath(expression)).map((ref) => [ref, build(ref)])),
      period: Duration.seconds(Math.max(60, spec.periodSeconds)),
      label: q.returnData ? label : id,
    });
  };
  const returned = queries.find((q) => q.returnData);
  return returned ? build(returned.id) : metricOf(spec.metric, label);
}

function healthWidgets(props: AutoscalerDashboardProps): cloudwatch.IWidget[] {
  const functions = Object.entries(props.functions);
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: 'dead-letter queue: messages',
      left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'visible' })],
      leftAnnotations: [{ value: 0, label: 'alarm above', color: cloudwatch.Color.RED }],
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.GraphWidget({
      title: 'functions: errors and throttles',
      left: functions.flatMap(([name, fn]) => [
        fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: `${name} errors` }),
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: `${name} throttles` }),
      ]),
      width: WIDTH,
      height: HEIGHT,
    }),
    new cloudwatch.GraphWidget({
      title: 'functions: duration p95 (ms)',
      left: functions.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p95', label: name })),
      width: WIDTH,
      height: HEIGHT,
    }),
  ];
  return widgets;
}
