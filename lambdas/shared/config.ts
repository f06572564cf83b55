/**
 * The one schema of the autoscaler's configuration, shared by the CDK app (validated at synth), the
 * Lambda functions (the parsed config is bundled with each function) and the simulator.
 *
 * Every default below is documented in the README's config reference; keep the two in step.
 */
import { z } from 'zod';

/** Alarm names, rule patterns and DynamoDB keys all embed target ids, so keep them short and plain. */
const targetId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1-40 lowercase letters, digits or dashes, starting and ending with a letter or digit');

const percent = z.number().gt(0).max(100);

/** An Application Load Balancer target group in front of the web tier. */
export const targetGroupSchema = z.strictObject({
  /** The load balancer's full name as CloudWatch uses it: `app/<name>/<id>`. */
  loadBalancerFullName: z.string().regex(/^app\/[\w-]+\/[0-9a-f]+$/, 'must look like app/<name>/<id>'),
  /** The target group's full name as CloudWatch uses it: `targetgroup/<name>/<id>`. */
  targetGroupFullName: z.string().regex(/^targetgroup\/[\w-]+\/[0-9a-f]+$/, 'must look like targetgroup/<name>/<id>'),
  /**
   * Requests per minute one target should serve. When set, RequestCountPerTarget above it raises an
   * alarm and the engine sizes on it directly; when unset, the engine learns what one unit serves from
   * CPU and RequestCount together.
   * @default undefined
   */
  requestsPerTarget: z.number().positive().optional(),
  /**
   * p95 TargetResponseTime, in seconds, above which the target is overloaded.
   * @default 1
   */
  responseTimeP95Seconds: z.number().positive().default(1),
});

/** Settings every capacity target (ASG, ECS service) shares. */
const capacityFields = {
  id: targetId,
  /** @default 2 */
  minCapacity: z.number().int().min(0).default(2),
  /** @default 10 */
  maxCapacity: z.number().int().min(1).default(10),
  /** Average CPU, percent, the engine steers towards. @default 70 */
  targetCpu: percent.default(70),
  /**
   * Shortest time between two scale-in actions, and after a scale-out before a scale-in, in seconds.
   * @default 300
   */
  cooldownSeconds: z.number().int().min(0).default(300),
  /** Shortest time between two scale-out actions, in seconds. @default 60 */
  scaleOutCooldownSeconds: z.number().int().min(0).default(60),
  /**
   * Relative change of load within which the desired count is left as it is (0.1: a 10% band).
   * @default 0.1
   */
  tolerance: z.number().min(0).max(0.5).default(0.1),
  /** Most units one scale-out may add, as a share of the current count (1: at most double). @default 1 */
  maxStepUpRatio: z.number().positive().default(1),
  /**
   * Most units one scale-out may add in absolute terms, whatever the ratio allows.
   * @default no limit beyond maxStepUpRatio
   */
  maxStepUp: z.number().int().min(1).optional(),
  /** Most units one scale-in may remove, as a share of the current count (always at least one). @default 0.5 */
  maxStepDownRatio: z.number().gt(0).max(1).default(0.5),
  /**
   * Scale-in uses the highest recommendation seen over this window, so a short dip does not remove
   * capacity that the next minute needs again.
   * @default 300
   */
  scaleInStabilizationSeconds: z.number().int().min(0).default(300),
  /** Seconds from a desired-count increase until the new unit serves; the engine sizes for load that far ahead. @default 180 */
  warmupSeconds: z.number().int().min(0).default(180),
  /** Application Load Balancer target group whose request count and response time are signals too. */
  targetGroup: targetGroupSchema.optional(),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
};

export const asgTargetSchema = z.strictObject({
  kind: z.literal('asg'),
  ...capacityFields,
  /** Name of the Auto Scaling group. */
  autoScalingGroupName: z.string().min(1).max(255),
});

export const ecsServiceTargetSchema = z.strictObject({
  kind: z.literal('ecs-service'),
  ...capacityFields,
  /** Name of the ECS cluster. */
  cluster: z.string().min(1).max(255),
  /** Name of the ECS service. */
  service: z.string().min(1).max(255),
  /** Average memory, percent, above which the service scales out. @default 80 */
  targetMemory: percent.default(80),
});

export const targetSchema = z.discriminatedUnion('kind', [asgTargetSchema, ecsServiceTargetSchema]);

export const configSchema = z
  .strictObject({
    /**
     * Prefix of every alarm name (`<prefix>/<targetId>/<signal>/<direction>`) and of the resource names.
     * @default "autoscaler"
     */
    prefix: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'must be 1-31 letters, digits or dashes, starting with a letter')
      .default('autoscaler'),
    /** Record every decision without acting on any target. @default false */
    dryRun: z.boolean().default(false),
    /** Events older than this many seconds are dropped. @default 600 */
    maxEventAgeSeconds: z.number().int().positive().default(600),
    /** Audit entries are kept this many days. @default 30 */
    auditRetentionDays: z.number().int().positive().default(30),
    targets: z.array(targetSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.targets.forEach((t, i) => {
      const first = seen.get(t.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `"${t.id}" is already the id of targets[${first}]` });
      } else {
        seen.set(t.id, i);
      }
      if (t.maxCapacity < t.minCapacity) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'maxCapacity'], message: `${t.maxCapacity} is below minCapacity ${t.minCapacity}` });
      }
    });
  });

export type AutoscalerConfig = z.output<typeof configSchema>;
export type AutoscalerConfigInput = z.input<typeof configSchema>;
export type TargetConfig = AutoscalerConfig['targets'][number];
export type AsgTarget = z.output<typeof asgTargetSchema>;
export type EcsServiceTarget = z.output<typeof ecsServiceTargetSchema>;
export type CapacityTarget = AsgTarget | EcsServiceTarget;
export type TargetKind = TargetConfig['kind'];

/** A config that failed validation; `problems` holds one line per issue, each naming a path and the value. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}invalid autoscaler config:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** `targets[2].maxCapacity` from `['targets', 2, 'maxCapacity']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** A short, readable rendering of a config value for an error line. */
export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** One readable line per zod issue: the path, the value found there and what is wrong with it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
        break;
      case 'invalid_type':
        lines.push(
          value === undefined
            ? `${formatPath(issue.path)}: is required (${issue.expected})`
            : `${formatPath(issue.path)}: ${show(value)} is not ${article(issue.expected)}`,
        );
        break;
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string }).discriminator;
        if (disc) {
          const options = targetSchema.options.map((o) => o.shape.kind.value).join(', ');
          // zod puts the discriminator itself at the end of the path.
          const path = issue.path[issue.path.length - 1] === disc ? issue.path : [...issue.path, disc];
          lines.push(`${formatPath(path)}: ${show(valueAt(input, path))} is not a known kind (${options})`);
        } else {
          lines.push(`${formatPath(issue.path)}: ${show(value)} matches none of the allowed shapes`);
        }
        break;
      }
      case 'too_small':
        lines.push(
          Array.isArray(value)
            ? `${formatPath(issue.path)}: needs at least ${issue.minimum} entries, has ${value.length}`
            : `${formatPath(issue.path)}: ${show(value)} is below the minimum ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`,
        );
        break;
      case 'too_big':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is above the maximum ${issue.maximum}`);
        break;
      case 'invalid_value':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'not_multiple_of':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not a whole number`);
        break;
      case 'invalid_format':
      case 'custom':
        lines.push(`${formatPath(issue.path)}: ${issue.code === 'custom' ? '' : `${show(value)} `}${issue.message}`);
        break;
      default:
        lines.push(`${formatPath(issue.path)}: ${show(value)} ${issue.message}`);
    }
  }
  return lines;
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Validates a parsed (JSON/YAML) config; throws a ConfigError naming every bad path and value. */
export function parseConfig(input: unknown, source?: string): AutoscalerConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, input), source);
  return result.data;
}
