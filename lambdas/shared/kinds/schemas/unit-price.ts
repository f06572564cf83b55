/**
 * What one unit of a web tier or worker fleet costs an hour (synth only): the dollar figure of its
 * recommendations (lambdas/shared/prices.ts).
 */
import { z } from 'zod';
import { EC2_HOURLY } from '../../prices';

export const unitPriceSchema = z.union([
  // Common sense: a unit above $1,000 an hour is a typo.
  z.number().positive().max(1000),
  z.strictObject({
    /** An EC2 instance type of the price table (lambdas/shared/prices.ts); another one: give its price as a number. */
    instanceType: z.enum(Object.keys(EC2_HOURLY) as [string, ...string[]]),
  }),
  z.strictObject({
    /** A Fargate task's size, as its task definition sets it. */
    fargate: z.strictObject({ vcpu: z.number().positive().max(16), memoryGiB: z.number().positive().max(120) }),
  }),
]);

/**
 * The field the web and worker kinds take: dollars an hour of one unit, an instance type, or a Fargate
 * task size. Only the recommendations read it.
 * @default none: a recommendation's cost is in unit-hours only
 */
export const unitPriceField = { unitPrice: unitPriceSchema.optional() };
