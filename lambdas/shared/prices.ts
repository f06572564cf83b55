/**
 * What one unit of a target costs an hour, for the dollar figure of a recommendation: the config's
 * `unitPrice` (lambdas/shared/kinds/schemas/unit-price.ts) as dollars, an EC2 instance type, or a
 * Fargate task size. Public on-demand prices, Linux, US East (N. Virginia); other Regions are usually
 * 0-30% higher, and Savings Plans, Reserved Instances and Spot lower: a figure to compare candidates
 * by, not a bill.
 */

/**
 * EC2 On-Demand, Linux, us-east-1, dollars an instance-hour: only the types whose price was checked
 * against a published figure; another type gets no dollar figure (give `unitPrice` as a number).
 * t3.large $0.0832 (go-cloud.io, "Amazon EC2 Pricing", 2026), the other t3 sizes in proportion as the
 * family is priced; m7g.large $0.0816 (factualminds.com, "Amazon EC2 On-Demand Pricing ... (2026)",
 * June 2026), m7g.xlarge twice it; c5.large and c5.xlarge from c5.2xlarge's $0.34 (Amazon EC2 Auto
 * Scaling User Guide, "Spot price per unit hour example", which calls its figures example pricing).
 */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'c5.large': 0.085,
  'c5.xlarge': 0.17,
};

/**
 * Fargate On-Demand, Linux/x86, us-east-1: $0.04048 per vCPU-hour and $0.004445 per GB-hour (AWS
 * Fargate pricing page, as quoted by vantage.sh "AWS Fargate Pricing Explained" and wring.co's
 * "AWS Fargate Pricing", March 2026).
 */
export const FARGATE_VCPU_HOURLY = 0.04048;
export const FARGATE_GB_HOURLY = 0.004445;

/** A unit's price as the config gives it. */
export type UnitPrice = number | { readonly instanceType: string } | { readonly fargate: { readonly vcpu: number; readonly memoryGiB: number } };

/** Dollars an hour of one unit and where the figure comes from; undefined when it is not known. */
export interface PricePerUnitHour {
  readonly perUnitHour: number;
  readonly source: string;
}

export function pricePerUnitHour(price: UnitPrice | undefined): PricePerUnitHour | undefined {
  if (price === undefined) return undefined;
  if (typeof price === 'number') return { perUnitHour: price, source: 'unitPrice in the config' };
  if ('instanceType' in price) {
    const hourly = EC2_HOURLY[price.instanceType];
    return hourly === undefined ? undefined : { perUnitHour: hourly, source: `${price.instanceType} On-Demand, Linux, us-east-1` };
  }
  const { vcpu, memoryGiB } = price.fargate;
  return {
    perUnitHour: Math.round((vcpu * FARGATE_VCPU_HOURLY + memoryGiB * FARGATE_GB_HOURLY) * 1e6) / 1e6,
    source: `Fargate ${vcpu} vCPU ${memoryGiB} GB On-Demand, Linux/x86, us-east-1`,
  };
}
