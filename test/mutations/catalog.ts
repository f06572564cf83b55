/**
 * The mutations `npm run mutate` applies, one at a time: each breaks one protection the README promises
 * (a lease, a clamp, a switch, a tag check...) by an exact text replacement in one source file, and names
 * the tests that must then fail. The catalog is data; test/mutations/catalog.test.ts checks that every
 * `find` still occurs exactly once in its file, so a refactoring cannot quietly turn a mutation into a
 * no-op, and `run.ts` applies them.
 */
export interface Mutation {
  /** Short, stable name: what the mutation does. */
  readonly id: string;
  /** The protection it removes, as the README states it. */
  readonly breaks: string;
  /** The file it edits, relative to the repository root. */
  readonly file: string;
  /** Exact text that occurs once in the file. */
  readonly find: string;
  /** What it becomes. */
  readonly replace: string;
  /** Test files (or directories) of which at least one test must fail. */
  readonly tests: readonly string[];
}

export const MUTATIONS: readonly Mutation[] = [
  {
    id: 'ignore-the-lease',
    breaks: 'one decision per target at a time (a lease in DynamoDB)',
    file: 'lambdas/state/lease.ts',
    find: 'if (!(await store.acquireLease(targetId, owner, now, ttlSeconds))) return BUSY;',
    replace: 'await store.acquireLease(targetId, owner, now, ttlSeconds);',
    tests: ['test/faults/R02-concurrent-alarms.test.ts', 'test/faults/R04-lease-expiry.test.ts'],
  },
  {
    id: 'bypass-idempotency',
    breaks: 'a redelivered event returns the first result (Powertools idempotency)',
    file: 'lambdas/shared/handler.ts',
    find: 'return once({ key: options.key(parsed), event: parsed }) as Promise<R>;',
    replace: 'return options.handle(parsed, options.key(parsed)) as Promise<R>;',
    tests: ['test/faults/R01-duplicate-delivery.test.ts', 'test/faults/R03-crash-after-call.test.ts'],
  },
  {
    id: 'no-max-clamp',
    breaks: 'every action is clamped to min/max (the capacity engine)',
    file: 'lambdas/engine/capacity.ts',
    find: 'const bounded = (d: number) => clamp(d, policy.minCapacity, policy.maxCapacity);',
    replace: 'const bounded = (d: number) => clamp(d, policy.minCapacity, Number.MAX_SAFE_INTEGER);',
    tests: ['test/faults/R16-bounds.test.ts', 'test/faults/R08-alarm-storm.test.ts'],
  },
  {
    id: 'no-scale-out-step-limit',
    breaks: 'one scale-out adds at most maxStepUpRatio (and maxStepUp) of the fleet',
    file: 'lambdas/engine/capacity.ts',
    find: 'const desired = Math.min(raw, previous + step);',
    replace: 'const desired = raw;',
    tests: ['test/lambdas/engine/capacity.test.ts', 'test/faults/R08-alarm-storm.test.ts'],
  },
  {
    id: 'evaluate-always-writes',
    breaks: 'a write only follows a decision (the event fuzzer\'s oracle)',
    file: 'lambdas/scalers/capacity/service.ts',
    find: '      const backend = this.backend(target);\n      const snapshot = await backend.describe();',
    replace: '      const backend = this.backend(target);\n      await backend.setDesired(99);\n      const snapshot = await backend.describe();',
    tests: ['test/faults/fuzz-events.test.ts'],
  },
  {
    id: 'no-terminal-failure-hold',
    breaks: 'a terminal failure is reported once, not retried every minute (15-minute hold)',
    file: 'lambdas/scalers/capacity/service.ts',
    find: '        else if (lastFailure) {',
    replace: '        else if (false as boolean) {',
    tests: ['test/faults/R07-terminal-errors.test.ts'],
  },
  {
    id: 'capacity-ignores-pause',
    breaks: 'pause: the capacity family makes no AWS write',
    file: 'lambdas/scalers/capacity/service.ts',
    find: '        if (switches.paused) outcome = \'paused\';',
    replace: '        if (false as boolean) outcome = \'paused\';',
    tests: ['test/faults/R14-pause.test.ts'],
  },
  {
    id: 'queue-ignores-pause',
    breaks: 'pause: the queue family makes no AWS write',
    file: 'lambdas/scalers/queue/service.ts',
    find: '        if (switches.paused) outcome = \'paused\';',
    replace: '        if (false as boolean) outcome = \'paused\';',
    tests: ['test/faults/R14-pause.test.ts'],
  },
  {
    id: 'database-ignores-pause',
    breaks: 'pause: the database family starts no runbook',
    file: 'lambdas/scalers/database/service.ts',
    find: '        if (switches.paused) outcome = \'paused\';',
    replace: '        if (false as boolean) outcome = \'paused\';',
    tests: ['test/faults/R14-pause.test.ts'],
  },
  {
    id: 'cdn-ignores-pause-before-the-write',
    breaks: 'pause: the cdn family reads the switch right before CreateInvalidation',
    file: 'lambdas/scalers/cdn/service.ts',
    find: '        if (latest.paused) {',
    replace: '        if (false as boolean) {',
    tests: ['test/faults/R21-family-switches.test.ts'],
  },
  {
    id: 'no-in-flight-floor',
    breaks: 'queue workers without scale-in protection keep the workers holding in-flight messages',
    file: 'lambdas/engine/queue.ts',
    find: '    if (next < inFlightFloor) {',
    replace: '    if (false as boolean) {',
    tests: ['test/faults/R25-in-flight-floor.test.ts', 'test/lambdas/engine/queue.test.ts'],
  },
  {
    id: 'one-target-stops-the-others',
    breaks: 'one target\'s failure does not stop the others handled in the same invocation',
    file: 'lambdas/shared/each-target.ts',
    find: '        const error = err instanceof Error ? err : new Error(String(err));',
    replace: '        const error = err instanceof Error ? err : new Error(String(err));\n        throw error;',
    tests: ['test/faults/R30-target-isolation.test.ts'],
  },
  {
    id: 'no-metric-query-split',
    breaks: 'GetMetricData is sent at most 500 queries a call',
    file: 'lambdas/adapters/cloudwatch.ts',
    find: 'export const MAX_QUERIES_PER_CALL = 500;',
    replace: 'export const MAX_QUERIES_PER_CALL = 100_000;',
    tests: ['test/faults/R30-target-isolation.test.ts'],
  },
  {
    id: 'zero-backoff',
    breaks: 'transitional errors are retried with bounded exponential backoff',
    file: 'lambdas/shared/retry.ts',
    find: 'await options.sleep(ceiling / 2 + (random() * ceiling) / 2);',
    replace: 'await options.sleep(0);',
    tests: ['test/faults/R05-throttling.test.ts', 'test/faults/R06-transitional-states.test.ts'],
  },
  {
    id: 'no-tag-condition-on-delete',
    breaks: 'IAM lets the autoscaler delete only replicas carrying its tags',
    file: 'lib/targets/rds-replicas.ts',
    find: "        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: prefix, [`aws:ResourceTag/${TARGET_TAG}`]: target.id } },",
    replace: '',
    tests: ['test/faults/R20-iam-and-security.test.ts'],
  },
  {
    id: 'no-tag-recheck-in-delete-task',
    breaks: 'the delete task checks the replica is the autoscaler\'s again before deleting it',
    file: 'lambdas/runbooks/replicas.ts',
    find: '  if (!isManaged(ctx.config.prefix, target.id, i) || !new RegExp(`^${target.id}-ro-\\\\d+$`).test(id)) {',
    replace: '  if (false as boolean) {',
    tests: ['test/faults/R23-replica-removal.test.ts', 'test/runbooks/data.test.ts'],
  },
  {
    id: 'runbooks-ignore-pause',
    breaks: 'pause: every runbook task reads the switches right before each AWS write',
    file: 'lambdas/runbooks/switches.ts',
    find: '  if (switches.paused) throw',
    replace: '  if (false as boolean) throw',
    tests: ['test/faults/R21-runbook-switches.test.ts'],
  },
  {
    id: 'runbook-ignores-the-engine-rules',
    breaks: 'a runbook holds to the step, the cooldowns and the fit on current metrics unless forced',
    file: 'lambdas/runbooks/rules.ts',
    find: '  if (state.force !== true) {',
    replace: '  if (false as boolean) {',
    tests: ['test/faults/R22-runbook-rules.test.ts'],
  },
  {
    id: 'runbook-deletes-a-promoted-replica',
    breaks: 'the delete task deletes only an instance still a read replica of the configured source',
    file: 'lambdas/runbooks/replicas.ts',
    find: '  } else if (i.sourceId !== target.sourceInstanceIdentifier) {',
    replace: '  } else if (false as boolean) {',
    tests: ['test/faults/R23-replica-removal.test.ts'],
  },
  {
    id: 'reconcile-adopts-foreign-replicas',
    breaks: 'removal takes the newest of its own replicas, never one made by someone else',
    file: 'lambdas/runbooks/replicas.ts',
    find: '  const managed = fleet.replicas.filter((r) => isManaged(prefix, target.id, r));',
    replace: '  const managed = fleet.replicas;',
    tests: ['test/runbooks/data.test.ts', 'test/faults/R17-workflow-killed.test.ts'],
  },
  {
    id: 'redis-fit-check-always-passes',
    breaks: 'Redis moves down only if the data fits the smaller type with headroom',
    file: 'lambdas/engine/redis.ts',
    find: '  return { fits: usedGiB <= (1 - headroom) * toGiB && projectedPercent < highPercent, usedGiB, projectedPercent };',
    replace: '  return { fits: true, usedGiB, projectedPercent };',
    tests: ['test/lambdas/engine/redis.test.ts'],
  },
];
