/**
 * Alert-only rules (a target's `alerts`): CloudWatch alarms whose actions publish to the deployment's
 * topic when they fire and when they clear. They scale nothing: their names start with
 * `<prefix>.alert/` (lambdas/shared/alerts.ts), which no family's rule matches, and their only
 * actions are the topic.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlertSpec } from '../../lambdas/shared/alerts';
import { alarmHome, mathAlarmProps, metricAlarmProps } from '../shared/alarm';

export interface AlertAlarmsProps {
  /** The alerts' alarms, as plain data (`allAlerts(config)`). */
  readonly specs: readonly AlertSpec[];
  /** Where each alert, and its return to OK, is announced. */
  readonly topic: sns.ITopic;
}

/**
 * One alarm per alert. Created under the scope given to `AlarmStacks`, each target's alerts go into one
 * of its nested stacks, beside the targets' own alarms.
 */
export class AlertAlarms extends Construct {
  /** Every alert's alarm, keyed by its name (`<prefix>.alert/<targetId>/<alert>`). */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;

  constructor(scope: Construct, id: string, props: AlertAlarmsProps) {
    super(scope, id);
    const byTarget = new Map<string, AlertSpec[]>();
    for (const s of props.specs) byTarget.set(s.targetId, [...(byTarget.get(s.targetId) ?? []), s]);
    const alarms: Record<string, cloudwatch.CfnAlarm> = {};
    for (const [targetId, specs] of byTarget) {
      // `.` is not in target ids: this scope's name never meets a target's own alarms' in a nested stack.
      const parent = alarmHome(new Construct(this, `alerts.${targetId}`), specs.length);
      for (const spec of specs) alarms[spec.name] = createAlertAlarm(parent, spec, props.topic);
    }
    this.alarms = alarms;
  }
}

function createAlertAlarm(scope: Construct, spec: AlertSpec, topic: sns.ITopic): cloudwatch.CfnAlarm {
  return new cloudwatch.CfnAlarm(scope, spec.alert, {
    ...(spec.math ? mathAlarmProps(spec, spec.math) : metricAlarmProps(spec)),
    // The topic only: an alert never reaches a scaling function.
    actionsEnabled: true,
    alarmActions: [topic.topicArn],
    okActions: [topic.topicArn],
  });
}
