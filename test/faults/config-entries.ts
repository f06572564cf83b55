/**
 * The two entry points that read a config file, driven in-process as an operator runs them:
 * `npx autoscaler config validate FILE` (the CLI's program) and `cdk synth` (lib/app.ts `main`, the
 * stack's environment from CDK_DEFAULT_REGION / CDK_DEFAULT_ACCOUNT as the CDK CLI sets them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../cli/program';
import type { SendClient } from '../../lambdas/adapters/types';
import { type BuiltApp, main } from '../../lib/app';
import { testApp } from '../lib/helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-config-entries-'));
let files = 0;

/** A config file holding `content` (YAML text, or an object written as YAML). */
export function configFile(content: string | Buffer | object): string {
  const file = path.join(dir, `config-${++files}.yaml`);
  fs.writeFileSync(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : stringify(content));
  return file;
}

/** `config validate` reads no AWS: every client refuses. */
const noAws: SendClient = {
  send: async () => {
    throw new Error('config validate made an AWS call');
  },
};

export interface EntryResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** An exception that escaped the entry point (a stack trace for the operator). */
  readonly escaped?: unknown;
}

export async function validate(file: string): Promise<EntryResult> {
  let stdout = '';
  let stderr = '';
  let escaped: unknown;
  let code = -1;
  try {
    code = await runCli(['config', 'validate', file], {
      cloudFormation: noAws,
      cloudWatch: noAws,
      autoScaling: noAws,
      ecs: noAws,
      sqs: noAws,
      rds: noAws,
      elastiCache: noAws,
      cloudFront: noAws,
      sns: noAws,
      sfn: noAws,
      sts: noAws,
      region: async () => 'eu-west-1',
      store: () => {
        throw new Error('config validate opened the state store');
      },
      now: () => 0,
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
  } catch (err) {
    escaped = err;
  }
  return { code, stdout, stderr, escaped };
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** `cdk synth -c config=FILE` with the stack's environment `env` (unset: environment-agnostic). */
export function synth(file: string, env: { region?: string; account?: string } = {}): EntryResult & { built?: BuiltApp } {
  const saved = { region: process.env.CDK_DEFAULT_REGION, account: process.env.CDK_DEFAULT_ACCOUNT };
  const set = (key: string, value: string | undefined) => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  set('CDK_DEFAULT_REGION', env.region);
  set('CDK_DEFAULT_ACCOUNT', env.account);
  let stderr = '';
  try {
    const built = main(testApp({ config: file }), {
      stderr: (t) => {
        stderr += t;
      },
      exit: (code) => {
        throw new Exit(code);
      },
    });
    return { code: 0, stdout: '', stderr, built };
  } catch (err) {
    if (err instanceof Exit) return { code: err.code, stdout: '', stderr };
    return { code: -1, stdout: '', stderr, escaped: err };
  } finally {
    set('CDK_DEFAULT_REGION', saved.region);
    set('CDK_DEFAULT_ACCOUNT', saved.account);
  }
}

/** A line of a stack trace (`    at fn (file:1:2)`). */
export const STACK_TRACE = /^\s+at .+[:(]/m;
