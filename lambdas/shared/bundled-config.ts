/**
 * The config as the functions see it: parsed and validated at synth and written next to each
 * function's bundle as `autoscaler-config.json` (lib/shared/function.ts), so a cold start fetches
 * nothing over the network. A file rather than an esbuild `define`: a define travels on esbuild's
 * command line, and a config of some 300 targets passes the 128 KiB one argument may hold (spawnSync
 * E2BIG).
 *
 * Read as the typed JSON synth wrote, not validated again: the schemas (zod, some 450 KB) stay out of
 * the bundle, and the file is part of the deployment package, which Lambda checks against its
 * CodeSha256. Only its shape is looked at, so that a file that is not a config fails with its name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutoscalerConfig } from './config';
import { BUNDLED_CONFIG_FILE } from './environment';

export { BUNDLED_CONFIG_FILE };

export function bundledConfig(): AutoscalerConfig {
  const file = join(__dirname, BUNDLED_CONFIG_FILE);
  // Outside a bundle (tests, the simulator): a global or the AUTOSCALER_CONFIG variable, parsed already.
  const global = (globalThis as { __AUTOSCALER_CONFIG__?: unknown }).__AUTOSCALER_CONFIG__;
  const [raw, source] = existsSync(file)
    ? [JSON.parse(readFileSync(file, 'utf8')) as unknown, file]
    : global !== undefined
      ? [global, '__AUTOSCALER_CONFIG__']
      : process.env.AUTOSCALER_CONFIG
        ? [JSON.parse(process.env.AUTOSCALER_CONFIG) as unknown, 'AUTOSCALER_CONFIG']
        : [undefined, file];
  if (raw === undefined) throw new Error(`no autoscaler config was bundled with this function (${file} is missing)`);
  const c = raw as Partial<AutoscalerConfig> | null;
  if (typeof c !== 'object' || c === null || typeof c.prefix !== 'string' || !Array.isArray(c.targets)) {
    throw new Error(`${source} is not a parsed autoscaler config (an object with prefix and targets, as synth writes it)`);
  }
  return c as AutoscalerConfig;
}
