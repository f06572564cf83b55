/**
 * Fault injection for the in-memory cloud: a wrapper around any SendClient that throttles a share of
 * the calls, fails chosen commands a number of times, or holds calls back (what the service answers);
 * the SDK's own retry of those answers (`withSdkRetries`), between the adapters and the service; and a
 * delivery plan that duplicates and delays events the way EventBridge's at-least-once delivery can.
 * Every random choice comes from a seeded generator, so a faulted run is as reproducible as a clean one.
 */
import type { SendClient } from '../../lambdas/adapters/types';
import { SDK_MAX_ATTEMPTS } from '../../lambdas/shared/clients';
import { isRetriedBySdk, isThrottling } from '../../lambdas/shared/errors';
import type { ScenarioFaults } from '../scenario';
import { commandName } from './recorder';

/** A number in [0, 1) from a 32-bit seed (mulberry32): small, fast and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One call as a fault rule sees it. */
export interface FaultCall {
  /** The command's class name: `SetDesiredCapacityCommand`. */
  readonly command: string;
  readonly input: unknown;
  /** Calls made through this wrapper before this one. */
  readonly index: number;
}

/** A command that fails with a named AWS error a number of times (then succeeds). */
export interface ErrorRule {
  /** Command class name (`SetDesiredCapacityCommand`), or `*` for every command. */
  readonly command: string;
  /** The AWS error name: `ScalingActivityInProgressFault`, `ValidationError`... */
  readonly error: string;
  /** @default "injected <error>" */
  readonly message?: string;
  /** How many calls fail this way. @default every call */
  readonly times?: number;
  /** The HTTP status of the answer (5xx for a server error). @default 400 */
  readonly status?: number;
}

export interface FaultOptions {
  /** Share of calls (0-1) answered with a throttling error, or a rule deciding per call. @default 0 */
  readonly throttle?: number | ((call: FaultCall) => boolean);
  /** The throttling error's name (Auto Scaling and CloudWatch say `Throttling`). @default "ThrottlingException" */
  readonly throttleError?: string;
  /** Commands that fail with a given error, in order of precedence. @default none */
  readonly errors?: readonly ErrorRule[];
  /**
   * Holds a call back before it reaches the service: a fixed time (through `sleep`) or a promise the
   * test resolves. @default no delay
   */
  readonly delay?: (call: FaultCall) => number | Promise<void> | undefined;
  /** How a numeric delay waits. @default resolves at once */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of the throttling draws. @default seededRandom(1) */
  readonly random?: () => number;
}

/** An error shaped like the SDK's service exceptions, carrying `$metadata` and `$fault`. */
export class InjectedServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; attempts: number; totalRetryDelay: number };
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  }
}

/** What a wrapped client did to its calls, for assertions. */
export interface FaultLog {
  /** Every call that came in, faulted or not. */
  readonly attempted: FaultCall[];
  /** The calls answered with an injected error, with the error's name. */
  readonly injected: { readonly call: FaultCall; readonly error: string }[];
}

export type FaultyClient = SendClient & { readonly faults: FaultLog };

/** Wraps `client`: throttles, fails and delays calls as `options` say; everything else reaches `client`. */
export function withFaults(client: SendClient, options: FaultOptions): FaultyClient {
  const random = options.random ?? seededRandom(1);
  const remaining = (options.errors ?? []).map((rule) => ({ rule, left: rule.times ?? Infinity }));
  const log: FaultLog = { attempted: [], injected: [] };
  const throttled = (call: FaultCall) => {
    const t = options.throttle;
    if (t === undefined) return false;
    return typeof t === 'number' ? t > 0 && random() < t : t(call);
  };
  return {
    faults: log,
    async send(command: { input?: unknown }) {
      const call: FaultCall = { command: commandName(command), input: command.input, index: log.attempted.length };
      log.attempted.push(call);
      const hold = options.delay?.(call);
      if (typeof hold === 'number') await (options.sleep ?? (async () => undefined))(hold);
      else if (hold) await hold;
      if (throttled(call)) {
        const name = options.throttleError ?? 'ThrottlingException';
        log.injected.push({ call, error: name });
        throw new InjectedServiceError(name, 'Rate exceeded', 400);
      }
      const hit = remaining.find((r) => r.left > 0 && (r.rule.command === '*' || r.rule.command === call.command));
      if (hit) {
        hit.left--;
        log.injected.push({ call, error: hit.rule.error });
        throw new InjectedServiceError(hit.rule.error, hit.rule.message ?? `injected ${hit.rule.error}`, hit.rule.status);
      }
      return client.send(command);
    },
  };
}

/** What the SDK's retry did for the calls through one client. */
export interface SdkRetryLog {
  /** Calls made (one per `send`). */
  calls: number;
  /** Requests that reached the service, each call's first included. */
  attempts: number;
  /** The simulated wait before each retry, in ms, in order. */
  readonly delays: number[];
  /** Calls that failed with an error the SDK retries, after their last attempt. */
  exhausted: number;
}

export type SdkRetryingClient = SendClient & { readonly sdk: SdkRetryLog };

export interface SdkRetryOptions {
  /** Attempts per call, the first included. @default SDK_MAX_ATTEMPTS, as deployed */
  readonly maxAttempts?: number;
  /** The jitter's draws. @default seededRandom(3) */
  readonly random?: () => number;
  /** How a wait passes (a simulated clock may advance). @default it is only recorded */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The SDK's backoff: full jitter below 2^retry times a base, 1 s for throttling and 50 ms otherwise, at most 20 s. */
const SDK_BACKOFF = { throttlingBaseMs: 1000, baseMs: 50, maxMs: 20_000 } as const;

/**
 * Stands for the AWS SDK v3's retry middleware with the deployed policy (lambdas/shared/clients.ts:
 * `maxAttempts` SDK_MAX_ATTEMPTS) in front of an in-memory service, which has no SDK of its own. Like
 * the SDK's standard and adaptive modes it retries throttling and transient errors (HTTP 429, 500,
 * 502, 503, 504, timeouts; `isRetriedBySdk`) and nothing else, waits with the backoff of @smithy/core's
 * DefaultRetryBackoffStrategy (simulated: recorded, and passed to `sleep` when given), and marks the
 * error it finally throws with `$metadata.attempts` and `totalRetryDelay` as the SDK does. Left out:
 * the adaptive mode's client-side rate limiter and the retry quota, which only a long outage drains.
 * Faults injected by `withFaults` belong under it: the service throttles, the SDK retries.
 */
export function withSdkRetries(client: SendClient, options: SdkRetryOptions = {}): SdkRetryingClient {
  const maxAttempts = options.maxAttempts ?? SDK_MAX_ATTEMPTS;
  const random = options.random ?? seededRandom(3);
  const log: SdkRetryLog = { calls: 0, attempts: 0, delays: [], exhausted: 0 };
  return {
    sdk: log,
    async send(command: unknown) {
      log.calls++;
      let waited = 0;
      for (let attempt = 1; ; attempt++) {
        log.attempts++;
        try {
          return await client.send(command);
        } catch (err) {
          const retried = isRetriedBySdk(err);
          if (!retried || attempt >= maxAttempts) {
            if (retried) log.exhausted++;
            const meta = (err as { $metadata?: Record<string, unknown> } | undefined)?.$metadata;
            if (meta) Object.assign(meta, { attempts: attempt, totalRetryDelay: waited });
            throw err;
          }
          const base = isThrottling(err) ? SDK_BACKOFF.throttlingBaseMs : SDK_BACKOFF.baseMs;
          const delay = Math.floor(random() * Math.min(base * 2 ** (attempt - 1), SDK_BACKOFF.maxMs));
          log.delays.push(delay);
          waited += delay;
          await options.sleep?.(delay);
        }
      }
    },
  };
}

/** How events reach a function: some twice, some late. */
export interface DeliveryOptions {
  /** Share of events (0-1) delivered a second time. @default 0 */
  readonly duplicateShare?: number;
  /** Seconds after the first delivery that a duplicate arrives. @default 0 (right after it) */
  readonly duplicateAfterSeconds?: number;
  /** Seconds a delayed event arrives after it was emitted. @default 0 */
  readonly delaySeconds?: number;
  /** Share of events (0-1) that are delayed by `delaySeconds`. @default 1 */
  readonly delayShare?: number;
  readonly random?: () => number;
}

/** One planned delivery of an event. */
export interface Delivery<E> {
  readonly event: E;
  /** Epoch ms at which the function receives it. */
  readonly at: number;
  /** Whether this is the extra copy of an event already delivered. */
  readonly duplicate: boolean;
}

/**
 * EventBridge-like delivery: `emit` an event at a time, `due` hands back the deliveries whose time has
 * come, in order of delivery time (emission order among equal times). Duplicates are deep copies.
 */
export class DeliveryQueue<E> {
  private pending: (Delivery<E> & { seq: number })[] = [];
  private seq = 0;
  /** Events delivered a second time, and events delivered late, so far. */
  duplicated = 0;
  delayed = 0;
  private readonly random: () => number;
  constructor(private readonly options: DeliveryOptions = {}) {
    this.random = options.random ?? seededRandom(2);
  }

  emit(event: E, at: number): void {
    const { duplicateShare = 0, duplicateAfterSeconds = 0, delaySeconds = 0, delayShare = 1 } = this.options;
    const delayed = delaySeconds > 0 && delayShare > 0 && this.random() < delayShare;
    const first = at + (delayed ? delaySeconds * 1000 : 0);
    if (delayed) this.delayed++;
    this.pending.push({ event, at: first, duplicate: false, seq: this.seq++ });
    if (duplicateShare > 0 && this.random() < duplicateShare) {
      this.duplicated++;
      this.pending.push({ event: structuredClone(event), at: first + duplicateAfterSeconds * 1000, duplicate: true, seq: this.seq++ });
    }
  }

  /** Deliveries due at or before `now`, removed from the queue. */
  due(now: number): Delivery<E>[] {
    const ready = this.pending.filter((d) => d.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.pending = this.pending.filter((d) => d.at > now);
    return ready.map(({ event, at, duplicate }) => ({ event, at, duplicate }));
  }

  get size(): number {
    return this.pending.length;
  }
}

/** What a run's faults did: calls throttled, deliveries duplicated, alarm events delayed. */
export interface ChaosSummary {
  /** Requests the services answered with throttling (the SDK retried most of them). */
  readonly throttled: number;
  readonly duplicated: number;
  readonly delayed: number;
}

/**
 * A scenario's `faults` section applied to one run: `client` wraps each in-memory service (a share of
 * its requests throttled, under the SDK's retries as deployed), `alarms` delivers EventBridge's alarm events (some twice, all `delaySeconds`
 * late), `schedules` the scheduler's runs (some twice, on time). Without faults, every delivery is
 * immediate and single and every client is returned as it is.
 */
export function scenarioChaos(faults: ScenarioFaults | undefined) {
  const seed = faults?.seed ?? 1;
  const wrapped: FaultyClient[] = [];
  const alarms = new DeliveryQueue<unknown>({
    duplicateShare: faults?.duplicateShare ?? 0,
    delaySeconds: faults?.delaySeconds ?? 0,
    random: seededRandom(seed * 7919 + 1),
  });
  const schedules = new DeliveryQueue<unknown>({ duplicateShare: faults?.duplicateShare ?? 0, random: seededRandom(seed * 7919 + 2) });
  return {
    alarms,
    schedules,
    client<C extends SendClient>(client: C): SendClient {
      if (!faults?.throttleShare) return client;
      // Auto Scaling and CloudWatch say `Throttling`; the SDK treats every throttling name alike.
      const w = withFaults(client, { throttle: faults.throttleShare, throttleError: 'Throttling', random: seededRandom(seed * 7919 + 3 + wrapped.length) });
      wrapped.push(w);
      return withSdkRetries(w, { random: seededRandom(seed * 7919 + 101 + wrapped.length) });
    },
    summary(): ChaosSummary {
      return {
        throttled: wrapped.reduce((n, w) => n + w.faults.injected.length, 0),
        duplicated: alarms.duplicated + schedules.duplicated,
        delayed: alarms.delayed,
      };
    },
  };
}
