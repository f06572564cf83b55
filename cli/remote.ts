/**
 * The commands that talk to the operator API instead of the stack (`--api URL`): status, history,
 * pause, resume and overrides, each one request, signed (cli/api-client.ts). The API serves what the
 * state table holds, so `status` over it shows no live counts or alarm states; the commands it does not
 * serve say so.
 */
import type { TargetState } from '../lambdas/control/status';
import { type ApiClient, type CliDeps, CliError, type OutputFormat } from './deps';
import { formatDuration, isoSeconds, rows } from './format';

/** What a command the API does not serve (explain, dry-run, runbook) says with `--api`: what to do instead. */
export function notOverApi(command: string): CliError {
  return new CliError(`${command} is not served by the operator API: run it without --api (it then talks to the stack)`);
}

interface RemoteStatus {
  readonly prefix: string;
  readonly dryRun: boolean;
  readonly global: { paused: boolean; dryRun: boolean };
  readonly targets: TargetState[];
}

export async function remoteStatus(api: ApiClient, deps: CliDeps, format: OutputFormat): Promise<void> {
  const doc = (await api.request('GET', '/status')) as RemoteStatus;
  if (format === 'json') {
    deps.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const now = deps.now();
  const global = [doc.global.paused ? 'PAUSED' : '', doc.global.dryRun ? 'DRY-RUN' : '', doc.dryRun ? 'DRY-RUN (config)' : ''].filter(Boolean).join(', ');
  if (format === 'table') deps.stdout(`prefix "${doc.prefix}" (over the API); all targets: ${global || 'active'}\n\n`);
  const body = doc.targets.map((t) => {
    const last = t.lastDecision
      ? `${t.lastDecision.outcome} ${t.lastDecision.previous}->${t.lastDecision.desired}, ${formatDuration(now - Date.parse(t.lastDecision.at))} ago`
      : '-';
    const mode =
      [t.paused ? 'paused' : '', t.dryRun.length ? `dry-run (${t.dryRun.join(', ')})` : '', t.override ? `override until ${t.override.until}` : '']
        .filter(Boolean)
        .join(', ') || 'active';
    return [t.id, t.kind, t.bounds ? String(t.bounds.min) : '-', t.bounds ? String(t.bounds.max) : '-', last, mode];
  });
  deps.stdout(rows(format, ['TARGET', 'KIND', 'MIN', 'MAX', 'LAST DECISION', 'MODE'], body));
}

interface RemoteEntry {
  readonly targetId: string;
  readonly at: number;
  readonly outcome: string;
  readonly previous?: number;
  readonly desired?: number;
  readonly reason: string;
}

/** The newest `limit` entries between two times (epoch ms), one page of the API's history. */
export async function remoteHistory(
  api: ApiClient,
  deps: CliDeps,
  format: OutputFormat,
  q: { target?: string; from: number; to: number; limit: number },
): Promise<void> {
  const page = (await api.request('GET', '/history', {
    query: { target: q.target, since: new Date(q.from).toISOString(), until: new Date(q.to).toISOString(), limit: String(Math.min(q.limit, 1000)) },
  })) as { entries: (RemoteEntry & { time: string })[] };
  if (format === 'json') {
    deps.stdout(`${JSON.stringify(page.entries, null, 2)}\n`);
    return;
  }
  if (!page.entries.length) {
    if (format === 'table') deps.stdout(`no audit entries between ${new Date(q.from).toISOString()} and ${new Date(q.to).toISOString()}\n`);
    return;
  }
  const change = (e: RemoteEntry) =>
    e.previous === undefined || e.desired === undefined ? '-' : e.previous === e.desired ? `${e.desired}` : `${e.previous} -> ${e.desired}`;
  deps.stdout(
    rows(
      format,
      ['TIME (UTC)', 'TARGET', 'OUTCOME', 'CHANGE', 'REASON'],
      page.entries.map((e) => [isoSeconds(e.at), e.targetId === '*' ? '(all)' : e.targetId, e.outcome, change(e), e.reason]),
    ),
  );
}

export async function remoteSwitch(api: ApiClient, deps: CliDeps, format: OutputFormat, paused: boolean, target: string | undefined): Promise<void> {
  const r = (await api.request('POST', paused ? '/pause' : '/resume', target !== undefined ? { body: { target } } : {})) as {
    target: string;
    actor: string;
    stillOnForEveryTarget: boolean;
    message: string;
  };
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ target: r.target, switch: 'paused', value: paused, actor: r.actor, stillOnForEveryTarget: r.stillOnForEveryTarget })}\n`);
    return;
  }
  deps.stdout(`${r.message}\n`);
  if (r.stillOnForEveryTarget) deps.stdout('note: pause is still on for every target (`resume` without a target lifts it)\n');
}

interface RemoteOverride {
  readonly targetId: string;
  readonly expiresAt: string;
  readonly setAt: string;
  readonly setBy: string;
}

/** PUT (set) or DELETE (end) a target's override; `input` as the API takes it (expiresAt ISO 8601). */
export async function remoteOverride(api: ApiClient, deps: CliDeps, format: OutputFormat, targetId: string, input?: Record<string, unknown>): Promise<void> {
  const path = `/targets/${encodeURIComponent(targetId)}/overrides`;
  const r = (await (input ? api.request('PUT', path, { body: input }) : api.request('DELETE', path))) as { override: RemoteOverride; warning?: string };
  if (r.warning) deps.stderr(`warning: ${r.warning}\n`);
  const action = input ? 'set' : 'ended';
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ action, ...r.override })}\n`);
    return;
  }
  deps.stdout(
    input
      ? `override set: ${targetId}: until ${r.override.expiresAt} (in ${formatDuration(Date.parse(r.override.expiresAt) - deps.now())})\n`
      : `override ended: ${targetId}: the deployed config applies again within a minute\n`,
  );
}

/** The overrides in force, from the API's status. */
export async function remoteOverrides(api: ApiClient, deps: CliDeps, format: OutputFormat): Promise<void> {
  const doc = (await api.request('GET', '/status')) as RemoteStatus;
  const overrides = doc.targets.filter((t) => t.override).map((t) => ({ targetId: t.id, ...t.override! }));
  if (format === 'json') {
    deps.stdout(`${JSON.stringify(overrides, null, 2)}\n`);
    return;
  }
  if (overrides.length === 0 && format === 'table') {
    deps.stdout('no override in force\n');
    return;
  }
  const now = deps.now();
  deps.stdout(
    rows(
      format,
      ['TARGET', 'OVERRIDE', 'ENDS IN', 'SET BY', 'REASON'],
      overrides.map((o) => [o.targetId, `${o.what}`, formatDuration(Date.parse(o.until) - now), o.by, o.reason ?? '-']),
    ),
  );
}
