/**
 * The alarms of a deployment, as plain data: each kind declares its own (lambdas/shared/kinds), the
 * CDK construct synthesizes exactly these, the simulator evaluates exactly these, and the handlers
 * parse the names back; one definition for all three. The families' EventBridge patterns and
 * schedule input, which follow from the kinds' facts alone, are ./family-rules.ts, re-exported here.
 */
import type { AlarmSpec } from './alarm-spec';
import { type AlertSpec, alertSpecs } from './alerts';
import type { AutoscalerConfig } from './config';
import { kindOf, type TargetConfig } from './kinds';

export { type AlarmSpec, alarmName, type Direction, type Family, type MetricRef, parseAlarmName, type Signal } from './alarm-spec';
export { alarmRulePattern, FAMILY_NAMESPACES, familyOf, REEVALUATE_SOURCE, reevaluateScheduleInput } from './family-rules';
export { capacityMetrics } from './kinds';
export { SCALE_IN_CPU_RATIO } from './kinds/capacity';

export function alarmsForTarget(prefix: string, target: TargetConfig): AlarmSpec[] {
  return kindOf(target).alarms(prefix, target);
}

export function allAlarms(config: AutoscalerConfig): AlarmSpec[] {
  return config.targets.flatMap((t) => alarmsForTarget(config.prefix, t));
}

/** The alarms of a target's alert-only rules (`alerts`), named `<prefix>.alert/<targetId>/<alert>`. */
export function alertsForTarget(prefix: string, target: TargetConfig): AlertSpec[] {
  const kind = kindOf(target);
  if (!kind.signals || !('alerts' in target)) return [];
  return alertSpecs(prefix, target.id, target.alerts, kind.signals(target));
}

export function allAlerts(config: AutoscalerConfig): AlertSpec[] {
  return config.targets.flatMap((t) => alertsForTarget(config.prefix, t));
}
