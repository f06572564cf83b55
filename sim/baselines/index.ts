import type { BaselineName, WorkloadKind } from '../scenario';
import { seedStepDatabase } from './database';
import { keda } from './keda';
import { predictive } from './predictive';
import { seedStepQueue, seedStepWeb } from './seed-step';
import { targetTracking } from './target-tracking';
import type { Baseline } from './types';

export * from './types';

/** The baseline of that name for that workload kind. */
export function baselineFor(kind: WorkloadKind, name: BaselineName): Baseline<unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: baselines of different state types in one table; each runs with its own state
  const table: Record<string, Partial<Record<BaselineName, Baseline<any>>>> = {
    web: { 'seed-step': seedStepWeb, 'target-tracking': targetTracking, predictive },
    queue: { 'seed-step': seedStepQueue, keda },
    database: { 'seed-step': seedStepDatabase, 'target-tracking': targetTracking },
  };
  const b = table[kind]?.[name];
  if (!b) throw new Error(`no ${kind} baseline named ${name}`);
  return b;
}
