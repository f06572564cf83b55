/**
 * Every AWS SDK call the deployed code sends, caught where every SDK v3 client sends: the `send` of
 * the smithy `Client` base class all of them share. The functions build their own clients exactly as
 * deployed (any client a function starts to use is caught without a change here); each call is
 * recorded with the function it ran in, then answered by the in-memory AWS of that service.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One call as the code sent it. */
export interface SentCall {
  /** Logical id of the function the call ran in. */
  readonly fn: string;
  /** IAM service prefix of the client (`rds`, `states`...). */
  readonly service: string;
  /** The API operation (`CreateDBInstanceReadReplica`; DynamoDB document commands as their base operation). */
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The region the client was built for. */
  readonly region: string;
}

/** Answers one service's commands (an in-memory AWS); `passthrough` lets the client send it itself. */
export type Backend = { send(command: unknown): Promise<unknown> } | 'passthrough';

/** The SDK's `serviceId` of each client the project uses, and the service prefix IAM knows it by. */
export const IAM_PREFIX_OF_SERVICE_ID: Readonly<Record<string, string>> = {
  'Auto Scaling': 'autoscaling',
  CloudFormation: 'cloudformation',
  CloudFront: 'cloudfront',
  CloudWatch: 'cloudwatch',
  DynamoDB: 'dynamodb',
  ECS: 'ecs',
  ElastiCache: 'elasticache',
  RDS: 'rds',
  'Route 53': 'route53',
  SFN: 'states',
  SNS: 'sns',
  SQS: 'sqs',
  SSM: 'ssm',
  STS: 'sts',
};

type SendFn = (this: SdkClient, command: unknown, ...rest: unknown[]) => Promise<unknown>;
interface SdkClient {
  readonly config: { readonly serviceId: string; region(): Promise<string> };
}

/** The operation a command sends: its class name less `Command`; a document-client command sends its base command. */
export function operationOf(command: unknown): string {
  const c = command as { clientCommand?: unknown; constructor: { name: string } };
  const name = (c.clientCommand ? (c.clientCommand as { constructor: { name: string } }).constructor.name : c.constructor.name) ?? '';
  if (!name.endsWith('Command')) throw new Error(`"${name}" is not an AWS SDK v3 command`);
  return name.slice(0, -'Command'.length);
}

/**
 * The client classes of every AWS SDK package the project depends on (package.json), so that a client
 * package added later is covered too.
 */
export function projectClientClasses(root: string): { pkg: string; client: new (...args: never[]) => unknown }[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const out: { pkg: string; client: new (...args: never[]) => unknown }[] = [];
  for (const name of Object.keys(pkg.dependencies).filter((n) => n.startsWith('@aws-sdk/client-') || n === '@aws-sdk/lib-dynamodb')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(name) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mod)) {
      if (k.endsWith('Client') && typeof v === 'function' && typeof (v as { prototype?: { send?: unknown } }).prototype?.send === 'function') {
        out.push({ pkg: name, client: v as new (...args: never[]) => unknown });
      }
    }
  }
  return out;
}

export class SdkTap {
  readonly calls: SentCall[] = [];
  private readonly current = new AsyncLocalStorage<string>();
  private readonly restores: (() => void)[] = [];
  private readonly faults: { when: (call: SentCall) => boolean; error: Error }[] = [];

  constructor(
    /** In-memory AWS by IAM service prefix. */
    private readonly backends: Readonly<Record<string, Backend>>,
    /** Told of each call before it is answered, while the world is as the call finds it. */
    private readonly onCall: (call: SentCall) => Promise<void> | void = () => undefined,
  ) {}

  /** Catches the `send` of every given client class (their shared base, once). */
  install(clientClasses: readonly (new (...args: never[]) => unknown)[]): void {
    const owners = new Set<{ send: SendFn }>();
    for (const cls of clientClasses) {
      let proto = cls.prototype as { send?: SendFn } | null;
      while (proto && !Object.hasOwn(proto, 'send')) proto = Object.getPrototypeOf(proto);
      if (!proto) throw new Error(`${cls.name} has no send`);
      // The shared base of every client owns the send that reaches the network; subclasses only inherit it.
      let base: { send?: SendFn } = proto;
      for (let p = Object.getPrototypeOf(proto); p; p = Object.getPrototypeOf(p)) if (Object.hasOwn(p, 'send')) base = p;
      owners.add(base as { send: SendFn });
    }
    const tap = this;
    for (const owner of owners) {
      const original = owner.send;
      owner.send = async function (this: SdkClient, command: unknown, ...rest: unknown[]) {
        const fn = tap.current.getStore();
        // Calls outside a function (the test's own table set-up) are not the code's.
        if (fn === undefined) return original.call(this, command, ...rest);
        const service = IAM_PREFIX_OF_SERVICE_ID[this.config.serviceId];
        if (!service) throw new Error(`no IAM service prefix is known for the SDK's "${this.config.serviceId}" client: add it to IAM_PREFIX_OF_SERVICE_ID`);
        const call: SentCall = {
          fn,
          service,
          operation: operationOf(command),
          input: structuredClone((command as { input?: Record<string, unknown> }).input ?? {}),
          region: await this.config.region(),
        };
        tap.calls.push(call);
        await tap.onCall(call);
        const fault = tap.faults.findIndex((f) => f.when(call));
        if (fault >= 0) throw tap.faults.splice(fault, 1)[0].error;
        const backend = tap.backends[service];
        if (backend === 'passthrough') return original.call(this, command, ...rest);
        if (!backend) throw new Error(`no in-memory ${service} answers ${call.operation} (sent by ${fn})`);
        // The in-memory AWS may use SDK clients of its own: those calls are not the function's.
        return tap.current.exit(() => backend.send(command));
      };
      this.restores.push(() => {
        owner.send = original;
      });
    }
  }

  /** The next call that `when` matches fails with `error` (after it is recorded: it was sent). */
  failNext(when: (call: SentCall) => boolean, error: Error): void {
    this.faults.push({ when, error });
  }

  /** Drops the faults no call met. */
  clearFaults(): void {
    this.faults.splice(0);
  }

  /** Runs `work` as the function `fn`: every call it sends is recorded as that function's. */
  as<T>(fn: string, work: () => Promise<T>): Promise<T> {
    return this.current.run(fn, work);
  }

  uninstall(): void {
    for (const restore of this.restores.splice(0)) restore();
  }
}
