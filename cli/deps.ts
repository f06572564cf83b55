/**
 * What every part of the CLI is given: the AWS clients, the state store, the clock and the output
 * streams (`CliDeps`, so tests drive the same program in-process), and the error for a problem the
 * operator can fix.
 */
import type { SendClient } from '../lambdas/adapters/types';
import type { StateStore } from '../lambdas/state/store';

export interface CliDeps {
  readonly cloudFormation: SendClient;
  readonly cloudWatch: SendClient;
  readonly autoScaling: SendClient;
  readonly ecs: SendClient;
  /** The resources `tags check` reads the tags of (queues, instances, replication groups, distributions). */
  readonly sqs: SendClient;
  readonly rds: SendClient;
  readonly elastiCache: SendClient;
  readonly cloudFront: SendClient;
  readonly sfn: SendClient;
  readonly sts: SendClient;
  /** The deployment's notification topic, for the control actions it announces (overrides). */
  readonly sns: SendClient;
  /** The region the clients talk to, for messages. */
  readonly region: () => Promise<string>;
  /** The state store over the deployed table. */
  readonly store: (tableName: string) => StateStore;
  /** Epoch ms now. */
  readonly now: () => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * The operator API's client for `--api URL`.
   * @default SigV4-signed requests with the command line's region and profile (cli/api-client.ts)
   */
  readonly api?: (url: string) => ApiClient;
}

/** One call of the operator API: the parsed JSON answer, or a CliError that says what the API refused and why. */
export interface ApiClient {
  request(method: string, path: string, opts?: { readonly query?: Readonly<Record<string, string | undefined>>; readonly body?: unknown }): Promise<unknown>;
}

/** The AWS settings of the command line (`--region`, `--profile`); unset: the SDK's default chain. */
export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
}

/** Builds the program's dependencies once the command line's AWS settings are known. */
export type CliDepsFactory = (aws: AwsOptions) => CliDeps;

/** How a command prints what it found: `table` (aligned, for people), `text` (tab-separated, no header), `json`. */
export type OutputFormat = 'json' | 'table' | 'text';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'table', 'text'];

/** A problem the operator can fix; printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
