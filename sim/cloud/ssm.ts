/**
 * In-memory SSM Parameter Store for the database workload: the reader endpoints the `rds-replicas`
 * runbook publishes (lambdas/adapters/ssm.ts), kept by name with a version per write.
 */
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

/** One stored parameter. */
export interface SsmParameter {
  readonly name: string;
  readonly value: string;
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly description?: string;
  /** 1 when created, one more per overwrite. */
  readonly version: number;
  /** Epoch ms of the last write. */
  readonly lastModified: number;
}

/** Most characters of a standard-tier parameter value (AWS Systems Manager quotas: 4 KB). */
export const MAX_STANDARD_VALUE_LENGTH = 4096;
const TYPES = new Set(['String', 'StringList', 'SecureString']);

export interface FakeSsmOptions {
  readonly log: CallLog;
  /** Epoch ms now, stamped on each write. @default () => 0 */
  readonly now?: () => number;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 123456789012 */
  readonly account?: string;
}

/** The fake SSM client: `send` answers GetParameter and PutParameter. */
export class FakeSsm {
  private readonly store = new Map<string, SsmParameter>();
  private readonly log: CallLog;
  private readonly now: () => number;
  private readonly region: string;
  private readonly account: string;
  private requests = 0;

  constructor(options: FakeSsmOptions) {
    this.log = options.log;
    this.now = options.now ?? (() => 0);
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
  }

  /** Every parameter by name, as last written. */
  get parameters(): ReadonlyMap<string, SsmParameter> {
    return this.store;
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('ssm', name, input);
    const meta = metadata(uuidLike(`ssm/${++this.requests}`));
    switch (name) {
      case 'GetParameterCommand': {
        const p = this.store.get(this.name(input.Name));
        if (!p) throw new FakeServiceError('ParameterNotFound', `Parameter ${String(input.Name)} not found.`);
        return {
          Parameter: {
            Name: p.name,
            Type: p.type,
            Value: p.value,
            Version: p.version,
            LastModifiedDate: new Date(p.lastModified),
            ARN: this.arn(p.name),
            DataType: 'text',
          },
          ...meta,
        };
      }
      case 'PutParameterCommand': {
        const key = this.name(input.Name);
        const value = input.Value;
        if (typeof value !== 'string' || value.length === 0)
          throw new FakeServiceError('ValidationException', `Value of parameter ${key} must be a non-empty string.`);
        if (value.length > MAX_STANDARD_VALUE_LENGTH) {
          throw new FakeServiceError(
            'ValidationException',
            `1 validation error detected: Value of length ${value.length} at 'value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_STANDARD_VALUE_LENGTH}`,
          );
        }
        if (input.Tier !== undefined && input.Tier !== 'Standard')
          throw new Error(`in-memory SSM implements the Standard tier only, not ${String(input.Tier)}`);
        const old = this.store.get(key);
        if (old && input.Overwrite !== true) {
          throw new FakeServiceError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        }
        const type = input.Type ?? old?.type;
        if (type === undefined) throw new FakeServiceError('ValidationException', `A parameter type is required when you create a parameter (${key}).`);
        if (!TYPES.has(type))
          throw new FakeServiceError('ValidationException', `Type ${String(type)} of parameter ${key} is not one of String, StringList, SecureString.`);
        const version = (old?.version ?? 0) + 1;
        this.store.set(key, {
          name: key,
          value,
          type,
          description: input.Description ?? old?.description,
          version,
          lastModified: this.now(),
        });
        return { Version: version, Tier: 'Standard', ...meta };
      }
      default:
        throw new Error(`in-memory SSM does not implement ${name}`);
    }
  }

  private name(raw: unknown): string {
    if (typeof raw !== 'string' || raw.length === 0)
      throw new FakeServiceError('ValidationException', `Parameter name must be a non-empty string, got ${JSON.stringify(raw)}.`);
    // A parameter ARN names the parameter too: arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>.
    const m = /^arn:aws:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(raw);
    if (!m) return raw;
    return this.store.has(m[1]) || !this.store.has(m[1].slice(1)) ? m[1] : m[1].slice(1);
  }

  private arn(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.account}:parameter${name.startsWith('/') ? name : `/${name}`}`;
  }
}
