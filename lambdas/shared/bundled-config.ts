/**
 * The config as the functions see it: parsed at synth and written next to each function's bundle as
 * `autoscaler-config.json` (lib/shared/function.ts), so a cold start fetches nothing over the
 * network. A file rather than an esbuild `define`: a define travels on esbuild's command line, and a
 * config of some 300 targets passes the 128 KiB one argument may hold (spawnSync E2BIG). Validated
 * again here so a hand-edited bundle cannot slip an invalid config in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AutoscalerConfig, parseConfig } from './config';
import { BUNDLED_CONFIG_FILE } from './environment';

export { BUNDLED_CONFIG_FILE };

export function bundledConfig(): AutoscalerConfig {
  const file = join(__dirname, BUNDLED_CONFIG_FILE);
  // Outside a bundle (tests, the simulator): a global or the AUTOSCALER_CONFIG variable.
  const global = (globalThis as { __AUTOSCALER_CONFIG__?: unknown }).__AUTOSCALER_CONFIG__;
  const raw = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as unknown)
    : global !== undefined
      ? global
      : process.env.AUTOSCALER_CONFIG
        ? (JSON.parse(process.env.AUTOSCALER_CONFIG) as unknown)
        : undefined;
  if (raw === undefined) throw new Error(`no autoscaler config was bundled with this function (${file} is missing)`);
  return parseConfig(raw, 'bundled config');
}
