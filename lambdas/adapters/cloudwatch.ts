/**
 * CloudWatch: the datapoints the engine decides on, and which alarms are in ALARM now. Throttling and
 * server errors are the SDK's to retry (lambdas/shared/clients.ts); nothing is retried here.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { Datapoint } from '../engine/capacity';
import type { MetricRef } from '../shared/alarm-spec';
import type { SendClient } from './types';

/**
 * Queries one GetMetricData request may carry: "A GetMetricData operation that does not include a
 * query can retrieve as many as 500 different metrics in a single request, with a total of as many as
 * 100,800 data points" (CloudWatch API Reference, GetMetricData; MetricDataQueries: at most 500 items).
 * More datapoints than that are not an error: the answer is paged with NextToken (MaxDatapoints,
 * default 100,800), which `series` follows.
 */
export const MAX_QUERIES_PER_CALL = 500;

/** One MetricDataQuery: a metric, or a metric math expression over other queries of the same request. */
export interface SeriesQuery {
  readonly id: string;
  /** The metric to read (exactly one of `metric` and `expression`). */
  readonly metric?: MetricRef;
  /** A metric math expression over the ids of other queries of its `group`. */
  readonly expression?: string;
  /** Whether its datapoints are returned, or only used by an expression. @default true */
  readonly returnData?: boolean;
  /** Seconds per datapoint. @default the period `series` is called with */
  readonly periodSeconds?: number;
  /**
   * Queries of one group (an expression and the queries it references) go into one request, since an
   * expression can only reference ids of its own request.
   * @default the query alone
   */
  readonly group?: string;
}

/**
 * The queries in requests of at most MAX_QUERIES_PER_CALL, in their order, each group whole in one
 * request. A group larger than a request cannot be sent.
 */
export function batchQueries(queries: readonly SeriesQuery[]): SeriesQuery[][] {
  const groups: SeriesQuery[][] = [];
  const byName = new Map<string, SeriesQuery[]>();
  for (const q of queries) {
    const existing = q.group === undefined ? undefined : byName.get(q.group);
    if (existing) existing.push(q);
    else {
      const g = [q];
      groups.push(g);
      if (q.group !== undefined) byName.set(q.group, g);
    }
  }
  const calls: SeriesQuery[][] = [];
  for (const g of groups) {
    if (g.length > MAX_QUERIES_PER_CALL)
      throw new Error(`query group "${g[0].group}" has ${g.length} queries, more than one GetMetricData request takes (${MAX_QUERIES_PER_CALL})`);
    const current = calls[calls.length - 1];
    if (current && current.length + g.length <= MAX_QUERIES_PER_CALL) current.push(...g);
    else calls.push([...g]);
  }
  return calls;
}

function ascending(list: readonly Datapoint[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1].at > list[i].at) return false;
  return true;
}

export class CloudWatchAdapter {
  constructor(private readonly client: SendClient) {}

  // biome-ignore lint/suspicious/noExplicitAny: what SendClient.send returns (the SDK boundary)
  private send(command: unknown): Promise<any> {
    return this.client.send(command);
  }

  /**
   * Datapoints of each query between `start` and `end` (epoch ms), oldest first, keyed by query id.
   * Any number of queries: they are sent MAX_QUERIES_PER_CALL to a call, one call after the other,
   * each followed through its NextToken pages, and the results merged.
   */
  async series(queries: readonly SeriesQuery[], start: number, end: number, periodSeconds: number): Promise<Record<string, Datapoint[]>> {
    const out: Record<string, Datapoint[]> = Object.fromEntries(queries.filter((q) => q.returnData !== false).map((q) => [q.id, []]));
    for (const call of batchQueries(queries)) await this.seriesCall(call, start, end, periodSeconds, out);
    // Oldest first; a list that already is (one page, ascending, as requested) is left as it is.
    for (const list of Object.values(out)) if (!ascending(list)) list.sort((a, b) => a.at - b.at);
    return out;
  }

  /** One GetMetricData request of at most MAX_QUERIES_PER_CALL queries, every page of it, into `out`. */
  private async seriesCall(
    queries: readonly SeriesQuery[],
    start: number,
    end: number,
    periodSeconds: number,
    out: Record<string, Datapoint[]>,
  ): Promise<void> {
    let nextToken: string | undefined;
    do {
      const res = await this.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(end),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
          MetricDataQueries: queries.map((q) =>
            q.metric
              ? {
                  Id: q.id,
                  ReturnData: q.returnData ?? true,
                  MetricStat: {
                    Metric: {
                      Namespace: q.metric.namespace,
                      MetricName: q.metric.metricName,
                      Dimensions: Object.entries(q.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
                    },
                    Period: q.periodSeconds ?? periodSeconds,
                    Stat: q.metric.stat,
                  },
                }
              : { Id: q.id, ReturnData: q.returnData ?? true, Expression: q.expression, Period: q.periodSeconds ?? periodSeconds },
          ),
        }),
      );
      for (const r of res.MetricDataResults ?? []) {
        const list = out[r.Id ?? ''];
        if (!list) continue;
        const ts: Date[] = r.Timestamps ?? [];
        const vs: number[] = r.Values ?? [];
        for (let i = 0; i < ts.length; i++) {
          const at = ts[i];
          list.push({ at: at instanceof Date ? at.getTime() : new Date(at).getTime(), value: vs[i] });
        }
      }
      nextToken = res.NextToken;
    } while (nextToken);
  }

  /** Alarms whose names start with `prefix`, optionally only those in one state. */
  async alarms(prefix: string, state?: StateValue): Promise<MetricAlarm[]> {
    const found: MetricAlarm[] = [];
    let nextToken: string | undefined;
    do {
      const res = await this.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, StateValue: state, AlarmTypes: ['MetricAlarm'], NextToken: nextToken, MaxRecords: 100 }),
      );
      found.push(...(res.MetricAlarms ?? []));
      nextToken = res.NextToken;
    } while (nextToken);
    return found;
  }

  /** The current state of one alarm, or undefined if it does not exist. */
  async alarmState(name: string): Promise<StateValue | undefined> {
    const res = await this.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm'] }));
    return res.MetricAlarms?.[0]?.StateValue;
  }
}
