/**
 * CloudWatch: the datapoints the engine decides on, and which alarms are in ALARM now. Throttling and
 * server errors are the SDK's to retry (lambdas/shared/clients.ts); nothing is retried here.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { Datapoint } from '../engine/capacity';
import type { MetricRef } from '../shared/alarms';
import type { SendClient } from './types';

/**
 * Queries one GetMetricData request may carry: "A GetMetricData operation that does not include a
 * query can retrieve as many as 500 different metrics in a single request, with a total of as many as
 * 100,800 data points" (CloudWatch API Reference, GetMetricData; MetricDataQueries: at most 500 items).
 * More datapoints than that are not an error: the answer is paged with NextToken (MaxDatapoints,
 * default 100,800), which `series` follows.
 */
export const MAX_QUERIES_PER_CALL = 500;

export interface SeriesQuery {
  readonly id: string;
  readonly metric: MetricRef;
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
    const out: Record<string, Datapoint[]> = Object.fromEntries(queries.map((q) => [q.id, []]));
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
      await this.seriesCall(queries.slice(i, i + MAX_QUERIES_PER_CALL), start, end, periodSeconds, out);
    }
    for (const list of Object.values(out)) list.sort((a, b) => a.at - b.at);
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
          MetricDataQueries: queries.map((q) => ({
            Id: q.id,
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: q.metric.namespace,
                MetricName: q.metric.metricName,
                Dimensions: Object.entries(q.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: periodSeconds,
              Stat: q.metric.stat,
            },
          })),
        }),
      );
      for (const r of res.MetricDataResults ?? []) {
        const list = out[r.Id ?? ''];
        if (!list) continue;
        const ts: Date[] = r.Timestamps ?? [];
        const vs: number[] = r.Values ?? [];
        for (let i = 0; i < ts.length; i++) list.push({ at: new Date(ts[i]).getTime(), value: vs[i] });
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
