/**
 * The families' EventBridge patterns and schedule input, which follow from the kinds' facts
 * (lambdas/shared/kinds/facts.ts): what synth deploys and the simulator matches, with no kind's
 * module loaded, so that a function or the recommender builds them without other families' kinds.
 */
import { DEPLOYMENT_PREFIX, type Family } from './alarm-spec';
import { KIND_FACTS } from './kinds/facts';

export { familyOf } from './kinds/facts';

/**
 * The CloudWatch namespaces whose alarms belong to each family, from its kinds' metrics; the rule
 * pattern matches on them. Each kind's own namespace first, then those they share (a load balancer's).
 */
export const FAMILY_NAMESPACES: Readonly<Record<Family, readonly string[]>> = {
  capacity: familyNamespaces('capacity'),
  cdn: familyNamespaces('cdn'),
  database: familyNamespaces('database'),
  queue: familyNamespaces('queue'),
};

function familyNamespaces(family: Family): string[] {
  const lists: (readonly string[])[] = Object.values(KIND_FACTS)
    .filter((k) => k.family === family)
    .map((k) => k.namespaces);
  const out = new Set<string>();
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.add(l[i]);
  return [...out];
}

/**
 * The EventBridge pattern of one family's rule: alarm state changes of this deployment's alarms (by
 * name prefix) on the family's namespaces. Constant in size whatever the number of targets.
 */
export function alarmRulePattern(prefix: string, family: Family): Record<string, unknown> {
  const namespaces = FAMILY_NAMESPACES[family].map((n) => n.replace(DEPLOYMENT_PREFIX, prefix));
  const byNamespace = { configuration: { metrics: { metricStat: { metric: { namespace: namespaces } } } } };
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: {
      alarmName: [{ prefix: `${prefix}/` }],
      // A capacity target's custom metric may live in any namespace (CWAgent, the application's own), and
      // a metric math alarm's expression has no namespace: its alarms are matched by their signal's name.
      // So are its step rules' alarms (a rule may read a custom metric), except those on another family's
      // namespaces only (a queue-workers target's step rules on AWS/SQS).
      ...(family === 'capacity'
        ? {
            $or: [
              byNamespace,
              { alarmName: [{ wildcard: `${prefix}/*/custom-*/high` }] },
              {
                alarmName: [{ wildcard: `${prefix}/*/step-*/*` }],
                configuration: { metrics: { metricStat: { metric: { namespace: [{ 'anything-but': otherFamiliesNamespaces('capacity') }] } } } },
              },
            ],
          }
        : byNamespace),
    },
  };
}

/** The namespaces of the other families' kinds that `family`'s kinds do not share. */
function otherFamiliesNamespaces(family: Family): string[] {
  const own = new Set(FAMILY_NAMESPACES[family]);
  return [...new Set((Object.keys(FAMILY_NAMESPACES) as Family[]).flatMap((f) => (f === family ? [] : FAMILY_NAMESPACES[f])))].filter((n) => !own.has(n));
}

/** Input of the 1-minute re-evaluation schedule; the scheduler fills in the placeholders per run. */
export const REEVALUATE_SOURCE = 'autoscaler.scheduler';
export function reevaluateScheduleInput(family: Family): Record<string, string> {
  return {
    source: REEVALUATE_SOURCE,
    action: 'reevaluate',
    family,
    scheduledTime: '<aws.scheduler.scheduled-time>',
    executionId: '<aws.scheduler.execution-id>',
  };
}
