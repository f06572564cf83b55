/**
 * The rules of the number fields an override may set (a fleet's floor and ceiling, a CPU or wait
 * target), as plain data: the config's zod schema builds each field from its rule at synth
 * (`numberSchema`, lambdas/shared/config/fields.ts), and the operator's override check builds a
 * valibot check from the same rule (`ruleSchema`, lambdas/shared/validate.ts), so that the operator
 * API judges an override as the config would without loading zod. test/lambdas/shared/kinds/overridable.test.ts
 * holds the two to the same verdicts and words.
 */
import { MAX_UNITS } from './bounds';

/** A number field's rule: a whole number or not, its lower bound (inclusive `min` or exclusive `gt`) and its upper bound. */
export interface NumberRule {
  /** @default any number */
  readonly int?: true;
  /** @default none (or `gt`) */
  readonly min?: number;
  /** @default none (or `min`) */
  readonly gt?: number;
  readonly max: number;
}

/** A percentage: above 0, at most 100. */
export const PERCENT: NumberRule = { gt: 0, max: 100 };
/** A fleet's floor (minCapacity): 0 lets a fleet scale to zero. */
export const FLEET_FLOOR: NumberRule = { int: true, min: 0, max: MAX_UNITS };
/** A fleet's ceiling (maxCapacity). */
export const FLEET_CEILING: NumberRule = { int: true, min: 1, max: MAX_UNITS };
/**
 * Most read replicas of one source: "Each DB instance can have up to 15 read replicas" for MySQL,
 * MariaDB and PostgreSQL (Amazon RDS API Reference, CreateDBInstanceReadReplica,
 * SourceDBInstanceIdentifier); an Aurora cluster takes up to 15 readers too.
 */
export const MAX_READ_REPLICAS = 15;
/** The autoscaler's fewest replicas of a source (minReplicas). */
export const REPLICAS_FLOOR: NumberRule = { int: true, min: 0, max: MAX_READ_REPLICAS };
/** The autoscaler's most replicas of a source (maxReplicas). */
export const REPLICAS_CEILING: NumberRule = { int: true, min: 1, max: MAX_READ_REPLICAS };
/** A queue's wait SLO, seconds (maxWaitSeconds): a minute to 12 hours. */
export const MAX_WAIT_SECONDS: NumberRule = { int: true, min: 60, max: 43_200 };
