/** Every API call made to the in-memory cloud, so tests can assert on them. */

export interface ApiCall {
  readonly service: string;
  readonly command: string;
  readonly input: unknown;
  /** Simulated epoch ms of the call. */
  readonly at: number;
}

export class CallLog {
  readonly calls: ApiCall[] = [];
  /**
   * Told of each answer a fake service gives (those that pass theirs on: CloudWatch's GetMetricData), so
   * tests can check what a handler was shown. @default no one
   */
  onAnswer?: (call: ApiCall, output: unknown) => void;
  constructor(private readonly now: () => number) {}

  record(service: string, command: string, input: unknown): void {
    this.calls.push({ service, command, input, at: this.now() });
  }

  /** Passes an answer to `onAnswer`, with its call (the one recorded last). */
  answered(output: unknown): void {
    if (this.onAnswer) this.onAnswer(this.calls[this.calls.length - 1], output);
  }

  of(service: string, command?: string): ApiCall[] {
    return this.calls.filter((c) => c.service === service && (command === undefined || c.command === command));
  }
}

/** What the SDK puts on every output. */
export function metadata(requestId: string): { $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number } } {
  return { $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 } };
}

/** An error shaped like the SDK's service exceptions (name, $fault, $metadata). */
export class FakeServiceError extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 };
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The command's name (`SetDesiredCapacityCommand`) as the SDK's classes carry it. */
export function commandName(command: unknown): string {
  const name = (command as { constructor?: { name?: string } })?.constructor?.name;
  if (!name || name === 'Object') throw new Error('the in-memory cloud expects an AWS SDK v3 command object');
  return name;
}

/** Deterministic uuid-like ids from a seed string (FNV-1a, stretched). */
export function uuidLike(seed: string): string {
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    hex += h.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** `2026-01-05T00:01:00.000+0000`, the format of CloudWatch's alarm timestamps. */
export function cwTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `2026-01-05T00:01:00Z`, the format of EventBridge's `time` and the scheduler's scheduled time. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
