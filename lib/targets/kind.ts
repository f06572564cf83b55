/**
 * What the infrastructure knows of a kind of target: its construct, its dashboard graphs (units and its
 * own) and its runbook's state machine. Declared next to each construct (lib/targets/<kind>.ts) and registered
 * in lib/targets/index.ts, a table the compiler checks against the runtime's registry of kinds
 * (lambdas/shared/kinds).
 */
import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { PermissionMode } from '../../lambdas/shared/config';
import type { RunbookExits } from '../runbooks/runbook';

/** What the Autoscaler hands each target's construct. */
export interface TargetWiring {
  /** The deployment's prefix (`config.prefix`): alarm names, tags. */
  readonly prefix: string;
  /** How the roles name the target's resources (`config.permissions`): by ARN, or by the deployment's tag. */
  readonly permissions: PermissionMode;
  /** The function of the target's family, which decides for it. */
  readonly handler: lambda.IFunction;
  /**
   * The runbook of the target's kind and the function its tasks run in.
   * @default none: only for a kind whose runtime module declares a runbook
   */
  readonly runbook?: { readonly stateMachine: sfn.IStateMachine; readonly taskFunction: lambda.IFunction };
  /**
   * The function the set-capacity runbook's task runs in: it gets the same rights on the target's fleet
   * as the family's function (and reads the queue's depth for busy workers).
   * @default none: only for asg, ecs-service and queue-workers targets
   */
  readonly setCapacity?: lambda.IFunction;
  /**
   * The deployment's broker reader, which publishes the Redis queues' depths (a redis-workers target
   * grants it its AUTH secret).
   * @default none: only when the config has redis-workers targets
   */
  readonly brokerReader?: lambda.IFunction;
}

/** A target's construct: its alarms (keyed by name) and the permissions its family's function needs on it. */
export interface TargetConstruct extends Construct {
  readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
}

/** Desired against in-service units of a target, for the dashboard. */
export interface UnitMetrics {
  readonly desired: cloudwatch.IMetric;
  readonly actual: cloudwatch.IMetric;
}

/** The state machine of a kind's runbook (lib/runbooks/data.ts builds it). */
export interface RunbookInfrastructure {
  /** What a run does and the input it takes, for the state machine's description. */
  readonly description: string;
  /** The definition, whose tasks run in `fn`. */
  definition(fn: lambda.IFunction): (scope: Construct, exits: RunbookExits) => sfn.IChainable;
  /** Longest a run may take, waits included. */
  readonly timeout: Duration;
}

export interface TargetInfrastructure<T, C extends TargetConstruct = TargetConstruct> {
  /** The target's construct, with the construct id `target.id`. */
  construct(scope: Construct, target: T, wiring: TargetWiring): C;
  /**
   * Desired against in-service units, graphed on the dashboard next to the target's signals.
   * @default no such graph
   */
  units?(target: T): UnitMetrics;
  /**
   * Graphs of the kind's own, drawn on the dashboard after its signals and units: what its alarms do not
   * show (a queue's depth, a cache's memory, the replicas' lag). `prefix`: the deployment's, for the
   * metrics it publishes itself.
   * @default none
   */
  widgets?(target: T, prefix: string): cloudwatch.IWidget[];
  /**
   * The state machine of the kind's runbook; exactly the kinds whose runtime module declares a runbook have one.
   * @default none
   */
  readonly runbook?: RunbookInfrastructure;
}

/** The runbook of a target whose kind has one; the Autoscaler always wires it. */
export function runbookWiring(wiring: TargetWiring, kind: string): NonNullable<TargetWiring['runbook']> {
  if (!wiring.runbook) throw new Error(`a ${kind} target needs the ${kind} runbook and its task function`);
  return wiring.runbook;
}
