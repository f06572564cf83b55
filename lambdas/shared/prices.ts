/**
 * What one unit of a target costs an hour, for the dollar figure of a recommendation: the config's
 * `unitPrice` (lambdas/shared/kinds/schemas/unit-price.ts) as dollars, an EC2 instance type, or a
 * Fargate task size. Public on-demand prices, Linux, US East (N. Virginia); other Regions are usually
 * 0-30% higher, and Savings Plans, Reserved Instances and Spot lower: a figure to compare candidates
 * by, not a bill.
 */

/**
 * EC2 On-Demand, Linux, us-east-1, dollars an instance-hour, as AWS's "Amazon EC2 On-Demand Pricing"
 * page (aws.amazon.com/ec2/pricing/on-demand/) lists them; m7g.large's $0.0816 as published in June
 * 2026 (factualminds.com, "Amazon EC2 On-Demand Pricing ... (2026)"). The common web and worker sizes only.
 */
export const EC2_HOURLY: Readonly<Record<string, number>> = {
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'c5.large': 0.085,
  'c5.xlarge': 0.17,
  'c6i.large': 0.085,
  'c7g.large': 0.0725,
  'r5.large': 0.126,
  'r6i.large': 0.126,
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
