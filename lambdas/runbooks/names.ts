/**
 * Deterministic execution names: the same action on the same target within one cooldown window gets
 * the same name, so a redelivered event, a flapping alarm or the 1-minute re-evaluation starting it
 * again collapses into the first execution (ExecutionAlreadyExists). A later window gets a new name;
 * the runbooks converge to an absolute goal, so a second run of a goal already reached does nothing.
 */

/** Step Functions execution names: 1-80 characters of letters, digits, `-` and `_`. */
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function executionName(targetId: string, action: string, goal: string | number, now: number, windowSeconds: number): string {
  const window = Math.floor(now / 1000 / Math.max(60, windowSeconds));
  const name = `${targetId}-${action}-${String(goal).replace(/[^A-Za-z0-9_-]/g, '_')}-${window}`;
  if (!NAME.test(name)) throw new Error(`execution name "${name}" is not a valid Step Functions name`);
  return name;
}
