/**
 * What the runtime knows of a kind of target, declared once in the kind's module
 * (lambdas/shared/kinds/<kind>.ts, its data fields in ./facts.ts) and registered in its family's file
 * (./family); its config schema is apart (lambdas/shared/kinds/schemas/<kind>.ts), validated at synth
 * and never loaded by a function, and so are its synth rules (`KindRules`, ./rules.ts).
 * The infrastructure (lib/targets) and the operator CLI (cli/) keep their own table of the same kinds,
 * so that a function bundle never pulls in the CDK or the CLI.
 */
import type { AlarmSpec, Family, MetricRef } from '../alarm-spec';
import type { ConfigPath, IssueSink } from '../config/checks';
import type { NumberRule } from '../config/numbers';
import type { TargetResource } from '../config/resources';
import type { CustomSignal } from './custom-metrics';
import type { SignalTable } from './signal';

export type { SignalTable, TargetSignal } from './signal';

/** What every target's config holds. */
export interface TargetBase {
  readonly kind: string;
  readonly id: string;
}

export interface TargetKindModule<T extends TargetBase> {
  /** The action family whose function decides for it (one rule, one function, one schedule per family). */
  readonly family: Family;
  /**
   * The CloudWatch namespaces of its metrics: its family's rule matches alarm state changes on them.
   * The namespace of the kind's own resource first.
   */
  readonly namespaces: readonly string[];
  /** Its alarms, as plain data (none for a kind its family's schedule or deploy events drive alone). */
  alarms(prefix: string, target: T): AlarmSpec[];
  /** Whether capacity windows may set its floor and ceiling (`minCapacity`, `maxCapacity`). */
  readonly windows: boolean;
  /**
   * The Step Functions runbook its long actions run in: the state machine `<prefix>-<name>`, whose ARN its
   * family's function finds in the environment variable `arnEnv`.
   * @default none: the family's function acts itself
   */
  readonly runbook?: { readonly name: string; readonly arnEnv: string };
  /**
   * The target's signals, by name: what its step rules (`stepRules[].signal`) and its alert-only rules
   * (`alerts[].signal`) may read, one table for both (lambdas/shared/kinds/signal.ts). Each entry gives
   * its metric (or metric math), unit and period; a signal the kind has but this target cannot read
   * stays in the table with `unavailable` (the reason, `it needs targetGroup`), one step rules may not
   * read with `notForSteps`. A kind with `customMetrics` lists each under its own name. Names are
   * camelCase (`requestCountPerTarget`, `visibleMessages`). Called while the config is checked, on a
   * target whose other fields may be invalid (already reported): it must not throw.
   *
   * A kind that declares it takes `alerts` when its schema has the field (lambdas/shared/alerts.ts), and
   * step rules when it spreads `stepPolicyFields` and calls `checkStepPolicy` in its `check`
   * (lambdas/shared/kinds/step-policy.ts); both are then checked and alarmed from this table.
   * @default none: the kind takes neither step rules nor alerts
   */
  signals?(target: T): SignalTable;
  /**
   * The fields a runtime override (lambdas/shared/overrides.ts) replaces: its floor, its ceiling and
   * its tracking target.
   * @default none: the kind's targets can only be paused or put in dry-run by an override
   */
  readonly overridable?: OverridableFields<T>;
}

/**
 * What synth alone runs of a kind: the resources a target names and the rules its schema cannot state,
 * declared in the kind's module beside its `TargetKindModule` and registered in ./rules.ts, which only
 * the config's validation loads (lambdas/shared/config), so that no function bundle carries them.
 */
export interface KindRules<T extends TargetBase> {
  /** What it acts on and reads: one resource, one target; the stack's region and account. */
  resources(target: T): TargetResource[];
  /**
   * Rules across its fields that its schema cannot state (a floor below a ceiling, exactly one of two
   * fields), reported below `at` (`['targets', 3]`). The whole-config rules come first.
   * @default none
   */
  check?(target: T, at: ConfigPath, ctx: IssueSink): void;
}

/** The config fields an override's `min`, `max` and `target` stand for on a kind. */
export interface OverridableFields<T = Record<string, number>> {
  readonly min: NumberField<T>;
  readonly max: NumberField<T>;
  /** @default none: the tracking target cannot be overridden */
  readonly target?: NumberField<T>;
  /**
   * The rule of each of these fields, the one its config schema is built from (`numberSchema`), so that
   * an override is judged as the config would judge the target without loading the schema; `target`'s
   * whenever the kind has a tracking target to override.
   */
  readonly rules: { readonly min: NumberRule; readonly max: NumberRule; readonly target?: NumberRule };
}

/** The names of a target's number fields. */
type NumberField<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T] & string;

/** The metrics of a capacity target: its alarms' and the capacity engine's observation. */
export interface CapacityMetrics {
  readonly cpu: MetricRef;
  readonly memory?: MetricRef;
  readonly requestCount?: MetricRef;
  readonly requestCountPerTarget?: MetricRef;
  readonly responseTimeP95?: MetricRef;
  /** The target's custom metrics (lambdas/shared/kinds/custom-metrics.ts). @default none */
  readonly custom?: readonly CustomSignal[];
}

/** A kind of the capacity family: a fleet of units sized on CPU (and memory, requests, latency). */
export interface CapacityKindModule<T extends TargetBase> extends TargetKindModule<T> {
  readonly family: 'capacity';
  /** The metrics the capacity engine observes and the alarms watch. */
  metrics(target: T): CapacityMetrics;
}
