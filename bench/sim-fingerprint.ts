/**
 * `node --import tsx bench/sim-fingerprint.ts [--chaos] [--only NAME] [--out FILE] [--against FILE]`:
 * runs every bundled scenario with every policy the bench runs (and, with --chaos, the autoscaler under
 * the chaos table's faults), and prints per scenario the seconds taken and a fingerprint of what each
 * policy did: its score, and a digest of its ready, billed and actions series. With --against, exits 1
 * if any fingerprint differs from the file's, naming the scenario and policy: a change meant to make the
 * simulator faster must leave every one alike.
 */
import '../sim/policies/quiet';
import '../sim/esm-interop';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAutoscaler } from '../sim/policies/autoscaler';
import { runDataAutoscaler } from '../sim/policies/autoscaler-data';
import { type AnyWorld, policiesOf, runScenario, scoreWorld } from '../sim/runner';
import { loadScenario, PROJECT_POLICIES, type Scenario } from '../sim/scenario';
import { loadTrace } from '../sim/trace';
import { CHAOS_FAULTS } from './chaos';
import { WEBSOCKETS_VARIANT } from './scenarios';

const ROOT = join(__dirname, '..');

function digest(world: AnyWorld): string {
  const h = createHash('sha256');
  h.update(Buffer.from(world.ready.buffer, world.ready.byteOffset, world.ready.byteLength));
  h.update(Buffer.from(world.billed.buffer, world.billed.byteOffset, world.billed.byteLength));
  h.update(JSON.stringify(world.actions));
  return h.digest('hex').slice(0, 16);
}

type Prints = Record<string, Record<string, string>>;

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const only = flag('--only');
  const dir = join(ROOT, 'scenarios');
  const scenarios: Scenario[] = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => loadScenario(join(dir, f)));
  const diurnal = scenarios.find((s) => s.trace.file.endsWith('synthetic-diurnal-flash.csv') || s.name.includes('diurnal'));
  if (diurnal) {
    scenarios.push({
      ...diurnal,
      name: `${diurnal.name} + websockets`,
      workload: {
        ...diurnal.workload,
        websockets: { connectionSeconds: WEBSOCKETS_VARIANT.connectionSeconds, connectionsPerUnit: WEBSOCKETS_VARIANT.connectionsPerUnit },
      },
      compare: [...new Set([...diurnal.compare, 'autoscaler-step' as const])],
    } as Scenario);
  }
  const prints: Prints = {};
  const seconds: Record<string, number> = {};
  const cpuSeconds: Record<string, number> = {};
  for (const scenario of scenarios) {
    if (only && !scenario.name.includes(only)) continue;
    const policies = [...new Set([...policiesOf(scenario), ...PROJECT_POLICIES[scenario.workload.kind]])];
    const cpu0 = process.cpuUsage();
    const run = await runScenario(scenario, { policies });
    const used = process.cpuUsage(cpu0);
    seconds[scenario.name] = run.seconds;
    cpuSeconds[scenario.name] = (used.user + used.system) / 1e6;
    const p: Record<string, string> = {};
    for (const r of run.runs) p[r.name] = `${JSON.stringify(r.score)} ${digest(r.world)} ${r.notes.join('; ')}`;
    if (argv.includes('--chaos')) {
      const trace = loadTrace(scenario.trace.file, scenario.trace);
      const kind = scenario.workload.kind;
      const faulted = await (kind === 'database' || kind === 'cache' ? runDataAutoscaler : runAutoscaler)({ ...scenario, faults: CHAOS_FAULTS }, trace);
      p['autoscaler (chaos)'] = `${JSON.stringify(scoreWorld(scenario, faulted.world))} ${digest(faulted.world)} ${JSON.stringify(faulted.chaos)}`;
    }
    prints[scenario.name] = p;
    process.stderr.write(`${scenario.name}: ${run.seconds.toFixed(2)} s (${cpuSeconds[scenario.name].toFixed(2)} s of CPU)\n`);
  }
  const out = flag('--out');
  if (out) writeFileSync(out, `${JSON.stringify({ seconds, cpuSeconds, prints }, null, 2)}\n`);
  const against = flag('--against');
  if (against) {
    const before = (JSON.parse(readFileSync(against, 'utf8')) as { prints: Prints }).prints;
    let differ = 0;
    for (const [name, p] of Object.entries(prints)) {
      for (const [policy, print] of Object.entries(p)) {
        const was = before[name]?.[policy];
        if (was !== undefined && was !== print) {
          differ++;
          process.stderr.write(`DIFFERS ${name} / ${policy}:\n  before ${was}\n  after  ${print}\n`);
        } else if (was === undefined) process.stderr.write(`not in ${against}: ${name} / ${policy}\n`);
      }
    }
    process.stderr.write(differ ? `${differ} fingerprint(s) differ\n` : 'every fingerprint alike\n');
    if (differ) process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
