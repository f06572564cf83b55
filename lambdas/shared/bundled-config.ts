/**
 * The config as the functions see it: parsed at synth and bundled into each function by esbuild
 * (`define: { __AUTOSCALER_CONFIG__: ... }`), so a cold start fetches nothing. Validated again here
 * so a hand-edited bundle cannot slip an invalid config in.
 */
import { type AutoscalerConfig, parseConfig } from './config';

declare const __AUTOSCALER_CONFIG__: unknown;

export function bundledConfig(): AutoscalerConfig {
  const raw =
    typeof __AUTOSCALER_CONFIG__ !== 'undefined'
      ? __AUTOSCALER_CONFIG__
      : process.env.AUTOSCALER_CONFIG
        ? (JSON.parse(process.env.AUTOSCALER_CONFIG) as unknown)
        : undefined;
  if (raw === undefined) throw new Error('no autoscaler config was bundled with this function (__AUTOSCALER_CONFIG__ is undefined)');
  return parseConfig(raw, 'bundled config');
}
