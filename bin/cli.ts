/**
 * `npx autoscaler <command>`: the operator CLI with the real AWS clients (`--region` and `--profile`,
 * else the default chain: environment, profile, SSO, instance role) and the state table named by the
 * stack's outputs.
 */
// `recommend` replays a trace through the real handlers (sim/recommend.ts), whose ESM-only dependencies tsx requires through this.
import '../sim/esm-interop';
import { awsDeps } from '../cli/aws';
import { runCli } from '../cli/program';

runCli(process.argv.slice(2), awsDeps).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`autoscaler: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
