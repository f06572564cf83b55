/**
 * The config schema of a capacity target's custom metrics and its checks (synth only); what the alarms
 * and the capacity service read from them is lambdas/shared/kinds/custom-metrics.ts.
 */
import { z } from 'zod';
import { formatPath, show } from '../../config/paths';
import { type MathNode, type MathShape, MathSyntaxError, parseMath, referencedIds, searchCalls, searchFilters, shapeOf } from '../../metric-math';
import { CUSTOM_METRIC_PERIODS, CUSTOM_METRIC_PRESETS, type CustomMetricPreset, PRESET_AGGREGATION } from '../formats';

/**
 * The statistics a custom metric may use: the five standard ones and percentiles (`p95`, `p99.9`).
 * GetMetricData's Stat and an alarm's ExtendedStatistic take the same names.
 */
const statistic = z
  .string()
  .regex(
    /^(SampleCount|Average|Sum|Minimum|Maximum|p(\d{1,2}(\.\d{1,2})?|100))$/,
    'must be SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p95 or p99.9',
  );

/** One CloudWatch metric and how to read it. */
export const customMetricStatSchema = z.strictObject({
  /** The metric's namespace (`AWS/ApplicationELB`, `CWAgent`, your application's own). */
  namespace: z.string().min(1).max(255),
  /** The metric's name. */
  metricName: z.string().min(1).max(255),
  /**
   * The dimensions, exactly as the metric is published: a query matches the one series with exactly
   * these dimensions, no more and no fewer.
   * @default {} (the series published without dimensions; refused in AWS namespaces)
   */
  // CloudWatch allows 30 dimensions per metric (PutMetricData, Dimensions: "Array Members: Maximum number of 30 items").
  dimensions: z
    .record(z.string().min(1).max(255), z.string().min(1).max(1024))
    .refine((d) => Object.keys(d).length <= 30, 'has more than 30 dimensions, the most a CloudWatch metric has')
    .default({}),
  /** @default "Average" */
  stat: statistic.default('Average'),
  /** Seconds per datapoint: 60, or 10 or 30 for a metric published at high resolution. @default 60 */
  period: z
    .number()
    .int()
    .min(10)
    .max(60)
    .superRefine((p, ctx) => {
      if (!(CUSTOM_METRIC_PERIODS as readonly number[]).includes(p))
        ctx.addIssue({ code: 'custom', message: `${p} is not 60, nor 10 or 30 (high resolution)` });
    })
    .default(60),
});

export type CustomMetricStat = z.output<typeof customMetricStatSchema>;

/** One query of a metric math custom metric, as CloudWatch's MetricDataQuery has it. */
export const customMetricQuerySchema = z.strictObject({
  /** The id the expressions use: a lowercase letter first, then letters, digits or `_`. */
  id: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,254}$/, 'must start with a lowercase letter, then letters, digits or "_" (a MetricDataQuery id)'),
  /** A metric to read (exactly one of `metric` and `expression`). */
  metric: customMetricStatSchema.optional(),
  /** A metric math expression over the other queries' ids (exactly one of `metric` and `expression`). */
  // GetMetricData: Expression "Length Constraints: Minimum length of 1. Maximum length of 2048."
  expression: z.string().min(1).max(2048).optional(),
  /** Whether this query is the custom metric's value: exactly one query of the list says true. @default false */
  returnData: z.boolean().default(false),
});

/** One custom metric of a capacity target. */
export const customMetricSchema = z.strictObject({
  /**
   * Its name, unique within the target: the alarm `<prefix>/<targetId>/custom-<name>/high` and the
   * decision's figures use it, and step rules and alerts name it as their `signal`.
   */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or "-", starting with a letter'),
  /** One metric (exactly one of `metric`, `queries` and `preset`). */
  metric: customMetricStatSchema.optional(),
  /** A metric math expression and the metrics it reads, one query with `returnData: true` (exactly one of `metric`, `queries` and `preset`). */
  // Common sense: an expression over more than ten metrics is better published as one metric.
  queries: z.array(customMetricQuerySchema).min(1).max(10).optional(),
  /**
   * A ready-made metric: `asg-memory` is the CloudWatch agent's `mem_used_percent` (namespace `CWAgent`)
   * aggregated by `AutoScalingGroupName`, an average per instance (`asg` targets only).
   */
  preset: z.enum(CUSTOM_METRIC_PRESETS).optional(),
  /**
   * The value one unit should carry: the fleet is sized so that the metric per unit stays at it (at
   * most one of `targetPerUnit` and `threshold`; with neither, the metric is a signal that step rules
   * and alerts read).
   */
  // Common sense: a billion of anything per unit is a typo.
  targetPerUnit: z.number().positive().max(1e9).optional(),
  /**
   * How the metric relates to the fleet: `total` for the whole fleet's value (a Sum of connections),
   * `perUnit` for a value already per unit (an Average per instance). Required with `targetPerUnit`,
   * except with a preset, which knows its own.
   */
  aggregation: z.enum(['total', 'perUnit']).optional(),
  /**
   * A level the metric should stay below: an alarm above it, no sizing (at most one of `targetPerUnit`
   * and `threshold`).
   */
  threshold: z.number().min(-1e12).max(1e12).optional(),
});

export type CustomMetricConfig = z.output<typeof customMetricSchema>;

/** A namespace of AWS's own services: their metrics are standard resolution, and their dimensionless series aggregate a whole account. */
const isAwsNamespace = (ns: string) => ns.startsWith('AWS/');

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path: [...path], message });
}

/** One metric's own rules: dimensions that name one resource in an AWS namespace, a period its resolution allows. */
function checkMetricStat(m: CustomMetricStat, at: Path, ctx: Ctx): void {
  // A query matches only the series published with exactly its dimensions (CloudWatch User Guide,
  // "Dimensions": "you can't retrieve statistics using combinations of dimensions that you did not
  // specifically publish"). AWS services also publish dimensionless series that aggregate every
  // resource of the account and region (AWS/EC2 CPUUtilization over every instance): such a series is
  // never one target's.
  if (isAwsNamespace(m.namespace) && Object.keys(m.dimensions).length === 0) {
    issue(
      ctx,
      [...at, 'dimensions'],
      `none given for ${m.namespace} ${m.metricName}: without dimensions an AWS namespace's series aggregates every resource of the account and region; name the target's (e.g. AutoScalingGroupName, LoadBalancer)`,
    );
  }
  // "Metrics produced by AWS services are standard resolution by default" (CloudWatch User Guide, "Resolution").
  if (m.period < 60 && isAwsNamespace(m.namespace)) {
    issue(ctx, [...at, 'period'], `${m.period} needs a high-resolution metric; ${m.namespace} ${m.metricName} is published by AWS at 60 s resolution`);
  }
}

/** A SEARCH reads many series: it must name at least one dimension's value, and be reduced to one series (checked by shape). */
function checkSearches(tree: MathNode, at: Path, ctx: Ctx): void {
  for (const call of searchCalls(tree)) {
    if (call.type !== 'call') continue;
    const query = call.args[0];
    const filters = query?.type === 'string' ? Object.keys(searchFilters(query.value)).filter((k) => k !== 'MetricName' && k !== 'Namespace') : [];
    if (!filters.length) {
      issue(
        ctx,
        at,
        `SEARCH(${query?.type === 'string' ? show(query.value) : '...'}) has no dimension filter (such as AutoScalingGroupName="web"): it would match the series of every resource in the account and region`,
      );
    }
  }
}

/** The rules of one metric math custom metric: unique ids, one of metric or expression each, one returned series, known ids, one period. */
function checkQueries(queries: readonly z.output<typeof customMetricQuerySchema>[], at: Path, ctx: Ctx): void {
  const ids = new Map<string, number>();
  queries.forEach((q, j) => {
    const first = ids.get(q.id);
    if (first !== undefined) issue(ctx, [...at, j, 'id'], `${show(q.id)} is already the id of ${formatPath([...at, first])}`);
    else ids.set(q.id, j);
    if ((q.metric === undefined) === (q.expression === undefined)) issue(ctx, [...at, j], 'needs exactly one of metric and expression');
    if (q.metric) checkMetricStat(q.metric, [...at, j, 'metric'], ctx);
  });
  const returned = queries.flatMap((q, j) => (q.returnData ? [j] : []));
  if (returned.length !== 1) {
    issue(
      ctx,
      at,
      `${returned.length} queries have returnData true (${returned.map((j) => queries[j].id).join(', ') || 'none'}); exactly one is the metric's value`,
    );
  }
  const periods = [...new Set(queries.flatMap((q) => (q.metric ? [q.metric.period] : [])))];
  if (periods.length > 1) issue(ctx, at, `the metrics have periods ${periods.join(' and ')}: one expression combines datapoints of one period`);

  // Shapes: a metric is one series; an expression is what it computes from the ids it references.
  const trees = new Map<string, MathNode>();
  queries.forEach((q, j) => {
    if (q.expression === undefined) return;
    try {
      const tree = parseMath(q.expression);
      trees.set(q.id, tree);
      checkSearches(tree, [...at, j, 'expression'], ctx);
    } catch (err) {
      if (!(err instanceof MathSyntaxError)) throw err;
      issue(ctx, [...at, j, 'expression'], `${show(q.expression)}: ${err.message}`);
    }
  });
  // Ids an expression references must be this metric's queries' (and not itself).
  const bad = new Set<string>();
  queries.forEach((q, j) => {
    const tree = trees.get(q.id);
    if (!tree) return;
    const unknown = referencedIds(tree).filter((id) => !ids.has(id) || id === q.id);
    if (unknown.length) {
      bad.add(q.id);
      issue(
        ctx,
        [...at, j, 'expression'],
        `${show(q.expression)} references ${unknown.map((u) => `"${u}"`).join(', ')}, not an id of the other queries (${[...ids.keys()].filter((id) => id !== q.id).join(', ') || 'none'})`,
      );
    }
  });
  const shapes = new Map<string, MathShape | 'pending'>();
  const shape = (id: string): MathShape => {
    const q = queries[ids.get(id) as number];
    if (q.metric || bad.has(id) || !trees.has(id)) return 'series';
    const known = shapes.get(id);
    if (known === 'pending') throw new MathSyntaxError(`"${id}" references itself through other expressions (a cycle)`, 0);
    if (known) return known;
    shapes.set(id, 'pending');
    const s = shapeOf(trees.get(id) as MathNode, (r) => shape(r));
    shapes.set(id, s);
    return s;
  };
  queries.forEach((q, j) => {
    if (!trees.has(q.id) || bad.has(q.id)) return;
    try {
      const s = shape(q.id);
      if (q.returnData && s !== 'series') {
        issue(
          ctx,
          [...at, j, 'expression'],
          `${show(q.expression)} returns ${s === 'many' ? 'many time series (reduce them, e.g. SUM(...))' : 'a single number, not a time series'}; the metric's value must be exactly one series`,
        );
      }
    } catch (err) {
      if (!(err instanceof MathSyntaxError)) throw err;
      bad.add(q.id);
      issue(ctx, [...at, j, 'expression'], `${show(q.expression)}: ${err.message}`);
    }
  });
}

/**
 * The list of a target's custom metrics, for a kind whose resource fits `presets`. Every rule reports
 * its path below the list and the value found there.
 */
export function customMetricsSchema(presets: readonly CustomMetricPreset[]) {
  // Common sense: ten signals per target is already ten alarms; more is a dashboard, not a policy.
  return z
    .array(customMetricSchema)
    .max(10)
    .superRefine((list, ctx) => {
      const names = new Map<string, number>();
      list.forEach((m, i) => {
        const first = names.get(m.name);
        if (first !== undefined) issue(ctx, [i, 'name'], `${show(m.name)} is already the name of customMetrics[${first}]`);
        else names.set(m.name, i);
        const sources = (['metric', 'queries', 'preset'] as const).filter((k) => m[k] !== undefined);
        if (sources.length !== 1) issue(ctx, [i], `needs exactly one of metric, queries and preset (has ${sources.join(', ') || 'none'})`);
        const goals = (['targetPerUnit', 'threshold'] as const).filter((k) => m[k] !== undefined);
        if (goals.length > 1) issue(ctx, [i], `needs at most one of targetPerUnit and threshold (has ${goals.join(', ')})`);
        if (m.preset !== undefined) {
          if (!presets.includes(m.preset)) {
            issue(ctx, [i, 'preset'], `${show(m.preset)} does not fit this kind (${presets.length ? presets.join(', ') : 'no preset does'})`);
          }
          if (m.aggregation !== undefined && m.aggregation !== PRESET_AGGREGATION[m.preset]) {
            issue(ctx, [i, 'aggregation'], `${show(m.aggregation)}: the preset ${show(m.preset)} is ${PRESET_AGGREGATION[m.preset]}`);
          }
        } else if (m.targetPerUnit !== undefined && m.aggregation === undefined) {
          issue(
            ctx,
            [i, 'aggregation'],
            'is required with targetPerUnit: "total" (the fleet\'s value, such as a Sum) or "perUnit" (already per unit, such as an Average)',
          );
        }
        if (m.threshold !== undefined && m.aggregation !== undefined) {
          issue(ctx, [i, 'aggregation'], `${show(m.aggregation)} applies to targetPerUnit only; a threshold compares the metric as it is`);
        }
        if (m.metric) checkMetricStat(m.metric, [i, 'metric'], ctx);
        if (m.queries) checkQueries(m.queries, [i, 'queries'], ctx);
      });
    });
}

type Ctx = z.core.$RefinementCtx;
type Path = readonly (string | number)[];
