/**
 * A target's load as CloudWatch kept it: one row per minute of the last days, what `recommend` replays
 * (the rows a trace CSV holds: sim/trace.ts). One core for every entry point: the CLI's
 * `recommend TARGET --days N` reads it instead of a file.
 *
 * The arrivals of a web target (`asg`, `ecs-service`) are its target group's ALB RequestCount (Sum per
 * minute), those of a `queue-workers` target its queue's NumberOfMessagesSent (Sum per minute): the
 * metrics the target's config already names (its `targetGroup`, its `queueUrl`).
 *
 * A minute with no datapoint is not always a minute without load: "Elastic Load Balancing reports
 * metrics to CloudWatch only when requests are flowing through the load balancer ... If there are no
 * requests flowing through the load balancer or no data for a metric, the metric is not reported"
 * (Application/Classic Load Balancer User Guide, CloudWatch metrics), and SQS publishes only while a
 * queue is active (SQS Developer Guide, available CloudWatch metrics). So each arrivals metric comes
 * with a coverage metric read alongside: a minute the coverage metric has but the arrivals lack is a
 * minute of zero arrivals; a minute both lack was not measured and stays out of the rows, a gap the
 * replay refuses to judge (sim/recommend.ts).
 */

import { CloudWatchAdapter } from '../adapters/cloudwatch';
import type { SendClient } from '../adapters/types';
import type { Datapoint } from '../engine/capacity';
import type { MetricRef } from '../shared/alarm-spec';
import { capacityMetrics } from '../shared/kinds/family/capacity';
import { queueMetrics } from '../shared/kinds/queue-workers';
import type { AsgTarget } from '../shared/kinds/schemas/asg';
import type { EcsServiceTarget } from '../shared/kinds/schemas/ecs-service';
import type { QueueWorkersTarget } from '../shared/kinds/schemas/queue-workers';

/**
 * Most days of history read: "Data points with a period of 60 seconds (1-minute) are available for 15
 * days" (CloudWatch API Reference, GetMetricData). Older minutes are only kept as 5-minute averages,
 * which a replay of 60 s steps cannot use.
 */
export const MAX_HISTORY_DAYS = 15;
/** The rows' step: CloudWatch's finest resolution of these AWS metrics. */
export const HISTORY_STEP_SECONDS = 60;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A target whose load can be read back: a web tier with a target group, or a queue's workers. */
export type HistoryTarget = AsgTarget | EcsServiceTarget | QueueWorkersTarget;

/** Why a target's history cannot be read (a web target without a target group). One line. */
export class LoadHistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadHistoryError';
  }
}

/** The metrics a target's load is read from: the arrivals, and what tells a quiet minute from a missing one. */
export interface LoadMetrics {
  /** Arrivals per minute (a Sum). */
  readonly arrivals: MetricRef;
  /** Published every minute while the resource exists, load or not. */
  readonly coverage: MetricRef;
  /** `ALB RequestCount of targetgroup/...`: for messages. */
  readonly label: string;
}

export function loadMetrics(target: HistoryTarget): LoadMetrics {
  if (target.kind === 'queue-workers') {
    const { visible } = queueMetrics(target);
    return {
      arrivals: { ...visible, metricName: 'NumberOfMessagesSent', stat: 'Sum' },
      coverage: visible,
      label: `SQS NumberOfMessagesSent of ${visible.dimensions.QueueName}`,
    };
  }
  const requests = capacityMetrics(target).requestCount;
  if (!target.targetGroup || !requests) {
    throw new LoadHistoryError(
      `target "${target.id}" has no targetGroup: its requests are read from the ALB's RequestCount; set targetGroup, or pass --trace FILE.csv`,
    );
  }
  return {
    // The RequestCount the capacity engine reads.
    arrivals: requests,
    // Reported while health checks run, with or without requests (Application Load Balancer User Guide).
    coverage: { ...requests, metricName: 'HealthyHostCount', stat: 'Maximum' },
    label: `ALB RequestCount of ${target.targetGroup.targetGroupFullName}`,
  };
}

/** A target's load, minute by minute, as trace rows. */
export interface LoadHistory {
  /** Epoch ms of each row (a whole minute, increasing); the minutes not measured are absent. */
  readonly times: number[];
  /** Arrivals of each row's minute. */
  readonly values: number[];
  /** Epoch ms, inclusive: the first minute asked for. */
  readonly from: number;
  /** Epoch ms, exclusive: the minute after the last one asked for (the current minute, not yet complete, is left out). */
  readonly to: number;
  /** Where the rows come from, for messages: `CloudWatch ALB RequestCount of targetgroup/... 2026-01-01T00:00Z..2026-01-15T00:00Z`. */
  readonly source: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/:00\.000Z$/, 'Z');

/** Checks `days` (a whole number, 1 to MAX_HISTORY_DAYS); the reason as one line, or undefined. */
export function badDays(days: number): string | undefined {
  if (!Number.isInteger(days) || days < 1) return `${days} is not a whole number of days from 1 to ${MAX_HISTORY_DAYS}`;
  if (days > MAX_HISTORY_DAYS) {
    return `${days} days is more than CloudWatch keeps at one minute (${MAX_HISTORY_DAYS} days; older data is only kept as 5-minute averages): pass at most ${MAX_HISTORY_DAYS}`;
  }
  return undefined;
}

/**
 * The target's last `days` whole days of load up to the last complete minute before `now`, read with
 * GetMetricData (the adapter batches the queries and follows NextToken: 15 days of two metrics are
 * 43,200 datapoints, under the 100,800 of one page, but a page may hold fewer).
 */
export async function readLoadHistory(cloudWatch: SendClient, target: HistoryTarget, days: number, now: number): Promise<LoadHistory> {
  const bad = badDays(days);
  if (bad) throw new LoadHistoryError(bad);
  const m = loadMetrics(target);
  const to = Math.floor(now / MINUTE) * MINUTE;
  const from = to - days * DAY;
  const out = await new CloudWatchAdapter(cloudWatch).series(
    [
      { id: 'arrivals', metric: m.arrivals },
      { id: 'coverage', metric: m.coverage },
    ],
    from,
    to,
    HISTORY_STEP_SECONDS,
  );
  const byMinute = (points: readonly Datapoint[]) => {
    const map = new Map<number, number>();
    for (const p of points) if (p.at >= from && p.at < to && Number.isFinite(p.value)) map.set(Math.floor(p.at / MINUTE) * MINUTE, p.value);
    return map;
  };
  const arrivals = byMinute(out.arrivals ?? []);
  const covered = byMinute(out.coverage ?? []);
  const times: number[] = [];
  const values: number[] = [];
  for (let at = from; at < to; at += MINUTE) {
    const a = arrivals.get(at);
    if (a !== undefined) {
      times.push(at);
      values.push(Math.max(0, a));
    } else if (covered.has(at)) {
      times.push(at);
      values.push(0);
    }
  }
  return { times, values, from, to, source: `CloudWatch ${m.label} ${iso(from)}..${iso(to)}` };
}
