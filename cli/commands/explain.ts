/** `explain`: a target's last decision with its numbers, its switches and its policy. */
import type { Command } from 'commander';
import { backendOf } from '../backends';
import { type CommandContext, type Deployment, findTarget } from '../deployment';
import type { CliDeps } from '../deps';
import { formatDuration, isoSeconds } from '../format';

export function registerExplain(program: Command, { deps, open, output }: CommandContext): void {
  program
    .command('explain')
    .description("a target's last decision with its numbers")
    .argument('<target>', 'target id')
    .option('--json', 'the same as --output json')
    // Table and text print the same lines: a decision is read, not parsed (json is for scripts).
    .action(async (targetId: string, opts: { json?: boolean }) => explain(await open('explain'), deps, targetId, output(opts) === 'json'));
}

async function explain(d: Deployment, deps: CliDeps, targetId: string, json: boolean): Promise<void> {
  const target = findTarget(d, targetId);
  const [record, switches] = await Promise.all([d.store.getTarget(target.id), d.store.getSwitches(target.id)]);
  const decision = record?.lastDecision;
  if (json) {
    deps.stdout(
      `${JSON.stringify({ target: target.id, kind: target.kind, decision: decision ?? null, switches, lastActionAt: record?.lastActionAt ?? null }, null, 2)}\n`,
    );
    return;
  }
  if (!decision) {
    deps.stdout(`${target.id} (${target.kind}): no decision recorded yet\n`);
    return;
  }
  const lines = [
    `${target.id} (${target.kind}): ${decision.outcome} at ${isoSeconds(decision.at)} (${formatDuration(deps.now() - decision.at)} ago)`,
    `  change:   ${decision.previous} -> ${decision.desired} (${decision.direction === 'none' ? 'no change' : `scale ${decision.direction}`})`,
    `  reason:   ${decision.reason}`,
  ];
  const figures = Object.entries(decision.figures ?? {});
  if (figures.length) {
    lines.push('  figures:');
    const width = Math.max(...figures.map(([k]) => k.length));
    for (const [k, v] of figures) lines.push(`    ${k.padEnd(width)}  ${Number.isInteger(v) ? v : v.toFixed(3)}`);
  }
  lines.push(`  switches: paused ${switches.paused ? 'yes' : 'no'}, dry-run ${switches.dryRun ? 'yes' : 'no'}`);
  const { policy } = backendOf(target);
  if (policy !== undefined) lines.push(`  policy:   ${policy}`);
  deps.stdout(`${lines.join('\n')}\n`);
}
