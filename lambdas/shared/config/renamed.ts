/**
 * Fields that were renamed so that every kind names its cooldowns alike (`scaleOutCooldownSeconds`,
 * `scaleInCooldownSeconds`). A config still using an old name is refused with the old name and the new
 * one, not as an unknown key, so its author knows what to write instead. The value and meaning are
 * unchanged: only the name moved.
 */

/** By target kind: old field name -> what replaces it. */
const RENAMED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  asg: { cooldownSeconds: 'scaleInCooldownSeconds' },
  'ecs-service': { cooldownSeconds: 'scaleInCooldownSeconds' },
  'rds-replicas': { cooldownSeconds: 'scaleOutCooldownSeconds' },
  'rds-instance': { cooldownSeconds: 'scaleOutCooldownSeconds (moves up) and scaleInCooldownSeconds (moves down)' },
  redis: { scaleDownCooldownSeconds: 'scaleInCooldownSeconds' },
};

/**
 * What replaced `key` of a target of `kind`, as the error line says it, or undefined when `key` was
 * never a field of that kind.
 */
export function renamedField(kind: unknown, key: string): string | undefined {
  if (typeof kind !== 'string' || !Object.hasOwn(RENAMED, kind)) return undefined;
  const fields = RENAMED[kind];
  return Object.hasOwn(fields, key) ? `"${key}" was renamed: write ${fields[key]} instead (same value and meaning)` : undefined;
}

/**
 * The signal names alert rules (`alerts[].signal`) used before step rules and alerts shared one table
 * per kind (lambdas/shared/kinds/signal.ts): old name -> the name that replaced it. Same metric, same
 * statistic, same period.
 */
const RENAMED_SIGNALS: Readonly<Record<string, string>> = {
  requests: 'requestCountPerTarget',
  'request-count': 'requestCount',
  latency: 'responseTimeP95',
  'errors-5xx': 'target5xxCount',
  visible: 'visibleMessages',
  'in-flight': 'inFlightMessages',
  age: 'ageOfOldestMessage',
  'dead-letters': 'deadLetterMessages',
};

/** The name that replaced the signal name `name`, or undefined when it was never renamed. */
export function renamedSignal(name: string): string | undefined {
  return Object.hasOwn(RENAMED_SIGNALS, name) ? RENAMED_SIGNALS[name] : undefined;
}
