/**
 * What the data tier's engines decide on, read from CloudWatch (GetMetricData): RDS replicas (source
 * and replica CPU, connections, lag), Redis (per node: memory, engine CPU, evictions, connections) and
 * an RDS instance's class (CPU windows, freeable memory). The database function decides on these, and
 * the runbook tasks read them again right before a move down, so the rule is computed once.
 */
import type { CloudWatchAdapter } from '../../adapters/cloudwatch';
import type { DbInstanceInfo } from '../../adapters/rds';
import type { Datapoint } from '../../engine/capacity';
import type { InstanceClassObservation } from '../../engine/instance-class';
import { memoryTrend, type RedisObservation } from '../../engine/redis';
import type { ReplicaObservation } from '../../engine/replicas';
import type { RdsInstanceTarget, RdsReplicasTarget, RedisTarget } from '../../shared/config';
import { rdsInstanceMetrics } from '../../shared/kinds/rds-instance';
import { replicaMetrics, replicaSourceMetrics } from '../../shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../shared/kinds/redis';

/** Minutes of datapoints a decision reads (longer where a target's window is longer). */
export const LOOKBACK_MINUTES = 10;

export const mean = (d: readonly Datapoint[] | undefined) => (d?.length ? d.reduce((s, p) => s + p.value, 0) / d.length : undefined);
export const max = (d: readonly Datapoint[] | undefined) => (d?.length ? Math.max(...d.map((p) => p.value)) : undefined);
export const min = (d: readonly Datapoint[] | undefined) => (d?.length ? Math.min(...d.map((p) => p.value)) : undefined);

/** Rounded to 2 decimals, for the audit entry's figures. */
export function figuresOf(o: object): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number') figures[k] = Math.round(v * 100) / 100;
  return figures;
}

/**
 * Source (or writer) CPU and connections, reader CPU and lag for Aurora; for RDS, the CPU and lag of
 * each `available` replica in `replicas` (every replica of the source, whoever made it).
 */
export async function observeReplicas(
  cloudWatch: CloudWatchAdapter,
  target: RdsReplicasTarget,
  replicas: readonly DbInstanceInfo[],
  now: number,
): Promise<ReplicaObservation> {
  const src = replicaSourceMetrics(target);
  const queries = [
    { id: 'cpu', metric: src.cpu },
    { id: 'connections', metric: src.connections },
    ...(src.readerCpu ? [{ id: 'readerCpu', metric: src.readerCpu }] : []),
    ...(src.lag ? [{ id: 'lag', metric: src.lag }] : []),
    ...replicas
      .filter((r) => r.status === 'available' && !target.clusterIdentifier)
      .flatMap((r, i) => [
        { id: `r${i}cpu`, metric: replicaMetrics(r.id).cpu },
        { id: `r${i}lag`, metric: replicaMetrics(r.id).lag },
      ]),
  ];
  const s = await cloudWatch.series(queries, now - LOOKBACK_MINUTES * 60_000, now, 60);
  const perReplicaCpu = Object.entries(s)
    .filter(([k]) => /^r\d+cpu$/.test(k))
    .map(([, v]) => mean(v))
    .filter((v): v is number => v !== undefined);
  // RDS ReplicaLag is in seconds, Aurora's AuroraReplicaLagMaximum in milliseconds (Amazon Aurora
  // User Guide, "Amazon CloudWatch metrics for Amazon Aurora").
  const auroraLag = max(s.lag);
  const lags = [
    ...Object.entries(s)
      .filter(([k]) => /^r\d+lag$/.test(k))
      .map(([, v]) => max(v)),
    auroraLag === undefined ? undefined : auroraLag / 1000,
  ].filter((v): v is number => v !== undefined);
  return {
    sourceCpu: mean(s.cpu),
    connections: mean(s.connections),
    replicaCpu: s.readerCpu ? mean(s.readerCpu) : perReplicaCpu.length ? perReplicaCpu.reduce((a, b) => a + b, 0) / perReplicaCpu.length : undefined,
    maxLagSeconds: lags.length ? Math.max(...lags) : undefined,
  };
}

export interface RedisNodesObservation extends RedisObservation {
  /** CurrConnections per node (mean over the nodes), sustained over the last 5 minutes. */
  readonly connectionsPerNode?: number;
}

/**
 * The fullest and busiest of the group's `nodes` each minute, and the evictions and connections of all
 * of them, over `max(10, memoryLowMinutes)` minutes; only datapoints after `freshAfter` (epoch ms) count:
 * older ones describe the shape the group had before its last change. Sustained: the lowest of the last
 * minutes (5 for memory, evictions and connections, 10 for CPU), like an alarm's M of M. The fullest
 * node's memory trend is measured over the same fresh minutes (`memoryTrend`).
 */
export async function observeRedis(
  cloudWatch: CloudWatchAdapter,
  target: RedisTarget,
  nodes: readonly string[],
  now: number,
  freshAfter: number,
): Promise<RedisNodesObservation> {
  const lookback = Math.max(LOOKBACK_MINUTES, target.memoryLowMinutes);
  const queries = nodes.flatMap((node, i) => {
    const m = redisNodeMetrics(node);
    return [
      { id: `n${i}memory`, metric: m.memory },
      { id: `n${i}cpu`, metric: m.cpu },
      { id: `n${i}evictions`, metric: m.evictions },
      { id: `n${i}connections`, metric: m.connections },
    ];
  });
  const all = await cloudWatch.series(queries, now - lookback * 60_000, now, 60);
  const s = Object.fromEntries(Object.entries(all).map(([id, points]) => [id, points.filter((p) => p.at > freshAfter)]));
  // Per minute: the fullest and busiest node, and the evictions of all nodes.
  const worst = (suffix: string, combine: (a: number, b: number) => number): Datapoint[] =>
    combineByMinute(
      Object.entries(s)
        .filter(([id]) => id.endsWith(suffix))
        .map(([, points]) => points),
      combine,
    );
  const memory = worst('memory', Math.max);
  const cpu = worst('cpu', Math.max);
  const evictions = worst('evictions', (a, b) => a + b);
  const connections = worst('connections', (a, b) => a + b).map((p) => ({ at: p.at, value: p.value / Math.max(1, nodes.length) }));
  return {
    memoryPercent: min(memory.slice(-5)),
    memoryPeakPercent: max(memory),
    memoryWindowMinutes: memory.length,
    ...memoryTrend(memory),
    cpuPercent: min(cpu.slice(-10)),
    evictionsPerMinute: min(evictions.slice(-5)),
    connectionsPerNode: min(connections.slice(-5)),
  };
}

/**
 * One datapoint per minute (`at`) of any of `lists`, each oldest first (as CloudWatchAdapter.series
 * returns them): the values of that minute combined in the order of the lists, oldest first, as a
 * merge rather than a lookup per datapoint, which a group of many nodes read every minute would feel.
 */
export function combineByMinute(lists: readonly (readonly Datapoint[])[], combine: (a: number, b: number) => number): Datapoint[] {
  const next = lists.map(() => 0);
  const out: Datapoint[] = [];
  for (;;) {
    let at = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) if (next[i] < lists[i].length && lists[i][next[i]].at < at) at = lists[i][next[i]].at;
    if (at === Number.POSITIVE_INFINITY) return out;
    let value: number | undefined;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      for (; next[i] < list.length && list[next[i]].at === at; next[i]++) {
        const v = list[next[i]].value;
        value = value === undefined ? v : combine(value, v);
      }
    }
    out.push({ at, value: value as number });
  }
}

/** CPU over the high and the low windows (5-minute periods, like the alarms) and the lowest freeable memory of the last 15 minutes. */
export async function observeInstance(cloudWatch: CloudWatchAdapter, target: RdsInstanceTarget, now: number): Promise<InstanceClassObservation> {
  const m = rdsInstanceMetrics(target);
  // 5-minute periods, like the alarms: the low window may be a day long.
  const lookback = Math.max(target.cpuHighMinutes, target.cpuLowMinutes, 15);
  const s = await cloudWatch.series(
    [
      { id: 'cpu', metric: m.cpu },
      { id: 'memory', metric: m.freeableMemory },
    ],
    now - lookback * 60_000,
    now,
    300,
  );
  const recent = (points: Datapoint[], minutes: number) => points.filter((p) => p.at >= now - minutes * 60_000);
  const highWindow = recent(s.cpu, target.cpuHighMinutes);
  const lowWindow = recent(s.cpu, target.cpuLowMinutes);
  const freeable = min(recent(s.memory, 15));
  return {
    // Sustained: every datapoint of the window above the mark, as the alarm's M of M.
    cpuHighWindow: min(highWindow),
    // A move down needs the window (mostly) covered and its peak below the mark.
    cpuLowWindowPeak: lowWindow.length >= 0.8 * (target.cpuLowMinutes / 5) ? max(lowWindow) : undefined,
    freeableMemoryMiB: freeable === undefined ? undefined : freeable / (1024 * 1024),
  };
}
