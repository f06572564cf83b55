/**
 * `status`: every target's current and desired units, bounds, alarms, last decision, cooldown left and
 * switches: the state table's part from lambdas/control/status.ts, the alarms and the services' counts read here.
 */
import type { Command } from 'commander';
import { CloudWatchAdapter } from '../../lambdas/adapters/cloudwatch';
import { globalSwitches, targetState } from '../../lambdas/control/status';
import { alarmsForTarget, parseAlarmName } from '../../lambdas/shared/alarms';
import { applyOverride } from '../../lambdas/shared/overrides';
import type { Switches } from '../../lambdas/state/store';
import { backendOf } from '../backends';
import type { TargetNow } from '../backends/backend';
import type { CommandContext, Deployment } from '../deployment';
import type { CliDeps, OutputFormat } from '../deps';
import { formatDuration, rows } from '../format';
import { remoteStatus } from '../remote';

export function registerStatus(program: Command, { deps, open, output, api }: CommandContext): void {
  program
    .command('status')
    .description('every target: current, desired, min, max, alarms, last decision, cooldown left, switches')
    .option('--json', 'the same as --output json')
    .action(async (opts: { json?: boolean }) => {
      const client = api();
      if (client) return remoteStatus(client, deps, output(opts));
      return status(await open(), deps, output(opts));
    });
}

export interface TargetStatus {
  readonly id: string;
  readonly kind: string;
  readonly current?: number;
  readonly desired?: number;
  readonly min?: number;
  readonly max?: number;
  /** Alarm name suffix (`cpu/high`) -> state. */
  readonly alarms: Readonly<Record<string, string>>;
  readonly lastDecision?: { at: string; outcome: string; previous: number; desired: number; reason: string };
  readonly lastActionAt?: string;
  /** Seconds until a scale-out, and a scale-in, may follow the last action; 0 when free. */
  readonly cooldownLeftSeconds?: { out: number; in: number };
  readonly paused: boolean;
  /** Why dry-run holds, if it does: `switch`, `override`, `config`, `target config`. */
  readonly dryRun: string[];
  /** The operator's override in force (its min and max are the ones above). */
  readonly override?: { readonly what: string; readonly until: string; readonly by: string; readonly reason?: string };
  /** Set when the service could not be described. */
  readonly error?: string;
}

async function targetStatuses(d: Deployment, deps: CliDeps): Promise<{ global: Switches; targets: TargetStatus[] }> {
  const now = deps.now();
  const alarms = await new CloudWatchAdapter(deps.cloudWatch).alarms(`${d.config.prefix}/`);
  const alarmStates = new Map<string, Record<string, string>>();
  for (const a of alarms) {
    const parts = a.AlarmName ? parseAlarmName(d.config.prefix, a.AlarmName) : undefined;
    if (!parts) continue;
    const states = alarmStates.get(parts.targetId) ?? {};
    states[`${parts.signal}/${parts.direction}`] = a.StateValue ?? 'UNKNOWN';
    alarmStates.set(parts.targetId, states);
  }
  const global = await globalSwitches(d.store);
  const targets = await Promise.all(
    d.config.targets.map(async (target): Promise<TargetStatus> => {
      // What the state table holds (one read of each), then what the services say now.
      const { state, record, override } = await targetState(d.config, d.store, target, now);
      // The bounds in force: an override's, within the deployed ones.
      const backend = backendOf(applyOverride(target, override, now));
      let read: TargetNow | undefined;
      let error: string | undefined;
      if (backend.readNow) {
        try {
          read = await backend.readNow(deps);
        } catch (err) {
          error = (err as Error).message;
        }
      }
      const acted = record?.lastActionAt;
      const left = (seconds: number) => (acted === undefined ? 0 : Math.max(0, Math.ceil((acted + seconds * 1000 - now) / 1000)));
      return {
        id: state.id,
        kind: state.kind,
        current: read?.current,
        desired: read?.desired,
        min: backend.bounds?.min,
        max: backend.bounds?.max,
        // Every alarm the config defines, even one CloudWatch does not know (not deployed yet).
        alarms: Object.fromEntries(
          alarmsForTarget(d.config.prefix, target).map((s) => {
            const key = `${s.signal}/${s.direction}`;
            return [key, alarmStates.get(target.id)?.[key] ?? 'MISSING'];
          }),
        ),
        lastDecision: state.lastDecision,
        lastActionAt: state.lastActionAt,
        cooldownLeftSeconds:
          backend.cooldowns && acted !== undefined ? { out: left(backend.cooldowns.outSeconds), in: left(backend.cooldowns.inSeconds) } : undefined,
        paused: state.paused,
        dryRun: state.dryRun,
        override: state.override,
        error,
      };
    }),
  );
  return { global, targets };
}

async function status(d: Deployment, deps: CliDeps, format: OutputFormat): Promise<void> {
  const { global, targets } = await targetStatuses(d, deps);
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ stack: d.stackName, region: d.region, prefix: d.config.prefix, global, targets }, null, 2)}\n`);
    return;
  }
  const now = deps.now();
  const globalState = [global.paused ? 'PAUSED' : '', global.dryRun ? 'DRY-RUN' : '', d.config.dryRun ? 'DRY-RUN (config)' : ''].filter(Boolean).join(', ');
  if (format === 'table') deps.stdout(`stack ${d.stackName} (${d.region}), prefix "${d.config.prefix}"; all targets: ${globalState || 'active'}\n\n`);
  const body = targets.map((t) => {
    const nonOk = Object.entries(t.alarms).filter(([, s]) => s !== 'OK');
    const alarms =
      Object.keys(t.alarms).length === 0 ? '-' : nonOk.length ? nonOk.map(([k, s]) => `${k} ${s}`).join(', ') : `all OK (${Object.keys(t.alarms).length})`;
    const last = t.lastDecision
      ? `${t.lastDecision.outcome} ${t.lastDecision.previous}->${t.lastDecision.desired}, ${formatDuration(now - Date.parse(t.lastDecision.at))} ago`
      : '-';
    const cooldown = t.cooldownLeftSeconds
      ? t.cooldownLeftSeconds.out || t.cooldownLeftSeconds.in
        ? `out ${formatDuration(t.cooldownLeftSeconds.out * 1000)}, in ${formatDuration(t.cooldownLeftSeconds.in * 1000)}`
        : 'none'
      : '-';
    const mode =
      [t.paused ? 'paused' : '', t.dryRun.length ? `dry-run (${t.dryRun.join(', ')})` : '', t.override ? `override until ${t.override.until}` : '']
        .filter(Boolean)
        .join(', ') || 'active';
    return [t.id, t.kind, num(t.current, t.error), num(t.desired, t.error), num(t.min), num(t.max), alarms, last, cooldown, mode];
  });
  deps.stdout(rows(format, ['TARGET', 'KIND', 'CURRENT', 'DESIRED', 'MIN', 'MAX', 'ALARMS', 'LAST DECISION', 'COOLDOWN LEFT', 'MODE'], body));
  if (format === 'text') {
    // Text output stays one row a target on stdout; what could not be read goes to stderr.
    for (const t of targets) if (t.error) deps.stderr(`${t.id}: ${t.error}\n`);
    return;
  }
  for (const t of targets) if (t.error) deps.stdout(`\n${t.id}: ${t.error}`);
  if (targets.some((t) => t.error)) deps.stdout('\n');
}

/** A count cell: `error` when the target could not be read, `-` when there is no count. */
function num(n: number | undefined, error?: string): string {
  if (error) return 'error';
  return n === undefined ? '-' : String(n);
}
