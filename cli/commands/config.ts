/** `config validate`: a config file checked against the schema, with a summary or every problem; no AWS call. */
import { type Command, CommanderError } from 'commander';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, ConfigError } from '../../lambdas/shared/config';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { stackNameFor } from '../../lambdas/shared/deployment';
import { backendOf } from '../backends';
import type { CommandContext } from '../deployment';
import type { CliDeps, OutputFormat } from '../deps';

export function registerConfig(program: Command, { deps, configFile, output }: CommandContext): void {
  const config = program.command('config').description('config files');
  config
    .command('validate')
    .description('check a config file against the schema: a summary, or every problem')
    .argument('[file]', 'the config file (default: --config, autoscaler.config.yaml)')
    .action((file: string | undefined) => validate(file ?? configFile(), deps, output()));
}

function validate(file: string, deps: CliDeps, format: OutputFormat): void {
  let config: AutoscalerConfig;
  try {
    config = loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      if (format === 'json') deps.stdout(`${JSON.stringify({ file, valid: false, problems: err.problems }, null, 2)}\n`);
      else deps.stderr(`${file}: invalid\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      throw new CommanderError(1, 'autoscaler.invalidConfig', 'invalid config');
    }
    throw err;
  }
  if (format === 'json') {
    const targets = config.targets.map((t) => ({ id: t.id, kind: t.kind, alarms: alarmsForTarget(config.prefix, t).map((a) => `${a.signal}/${a.direction}`) }));
    deps.stdout(
      `${JSON.stringify({ file, valid: true, prefix: config.prefix, stack: stackNameFor(config.prefix), dryRun: config.dryRun, targets }, null, 2)}\n`,
    );
    return;
  }
  const lines = [`${file}: OK`, `  prefix "${config.prefix}", stack ${stackNameFor(config.prefix)}, ${config.targets.length} target(s)`];
  let alarmCount = 0;
  for (const t of config.targets) {
    const alarms = alarmsForTarget(config.prefix, t);
    alarmCount += alarms.length;
    const { bounds } = backendOf(t);
    const unitBounds = bounds ? `, ${bounds.min}-${bounds.max} units` : '';
    const names = alarms.map((a) => `${a.signal}/${a.direction}`).join(', ');
    lines.push(`  ${t.id} (${t.kind}${unitBounds}): ${alarms.length} alarm(s)${names ? `: ${names}` : ''}`);
  }
  lines.push(`  ${alarmCount} alarm(s) in all${config.dryRun ? '; dry-run for every target' : ''}`);
  if (config.notifications.email) lines.push(`  notifications to ${config.notifications.email}`);
  deps.stdout(`${lines.join('\n')}\n`);
}
