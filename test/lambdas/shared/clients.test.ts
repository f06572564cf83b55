/**
 * The deployed clients' retry policy (lambdas/shared/clients.ts), checked on the real AWS SDK v3: a
 * client as deployed resolves to `maxAttempts` SDK_MAX_ATTEMPTS in adaptive mode, and the SDK retries
 * exactly the answers that `withSdkRetries` (the simulator's and the tests' stand-in for it) retries,
 * as many times. The SDK is driven through its own middleware stack with a request handler that
 * answers like Auto Scaling's query API; its jitter is drawn as 0 so no test waits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AutoScalingClient, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { awsClient, SDK_MAX_ATTEMPTS, SDK_RETRY_POLICY } from '../../../lambdas/shared/clients';
import { InjectedServiceError, withSdkRetries } from '../../../sim/cloud/faults';

/** Answers every request with `status` and an Auto Scaling (query protocol) error named `code`. */
function answering(status: number, code: string) {
  const requests: unknown[] = [];
  return {
    requests,
    handler: {
      async handle(request: unknown) {
        requests.push(request);
        const body = `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r-${requests.length}</RequestId></ErrorResponse>`;
        return { response: { statusCode: status, reason: code, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(body)]) } };
      },
    },
  };
}

const ANSWERS: [number, string][] = [
  [400, 'Throttling'],
  [429, 'TooManyRequests'],
  [500, 'InternalFailure'],
  [503, 'ServiceUnavailable'],
  [500, 'ResourceContention'],
  [400, 'ScalingActivityInProgress'],
  [400, 'ValidationError'],
  [403, 'AccessDenied'],
];

let random: jest.SpyInstance;
beforeEach(() => {
  random = jest.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => random.mockRestore());

test('a deployed client resolves to the policy: maxAttempts 4, adaptive mode', async () => {
  const client = awsClient(AutoScalingClient);
  expect(SDK_RETRY_POLICY).toEqual({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'adaptive' });
  expect(await client.config.maxAttempts()).toBe(SDK_MAX_ATTEMPTS);
  expect((await client.config.retryStrategy()) as { mode?: string }).toMatchObject({ mode: 'adaptive' });
  client.destroy();
});

test('every deployed SDK client is built through awsClient: no function builds one of its own', () => {
  const root = join(__dirname, '..', '..', '..', 'lambdas');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(20);
  const own: string[] = [];
  let sdkClients = 0;
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    // the client classes the file imports from an AWS SDK package
    const names = [...text.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-[a-z0-9-]+'/g)].flatMap((m) =>
      m[1]
        .split(',')
        .map((n) => n.trim())
        .filter((n) => /^[A-Z]\w*Client$/.test(n)),
    );
    sdkClients += names.length;
    for (const name of names) if (new RegExp(`new ${name}\\(`).test(text)) own.push(`${f}: new ${name}(`);
  }
  expect(sdkClients).toBeGreaterThanOrEqual(10);
  expect(own).toEqual([]);
});

test.each(ANSWERS)('HTTP %i %s: the SDK makes as many requests as withSdkRetries does', async (status, code) => {
  const service = answering(status, code);
  // Standard mode: the adaptive mode's retry decisions are the standard mode's (it adds only the rate limiter, which waits).
  const client = new AutoScalingClient({
    ...SDK_RETRY_POLICY,
    retryMode: 'standard',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: service.handler,
  });
  const err = await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 2 })).catch((e: unknown) => e);
  client.destroy();
  expect(err).toMatchObject({ $metadata: { httpStatusCode: status, attempts: service.requests.length } });
  // the name the SDK gives the error (`ScalingActivityInProgressFault` for the code `ScalingActivityInProgress`)
  const name = (err as Error).name;
  expect(name.startsWith(code)).toBe(true);

  let modelled = 0;
  const model = withSdkRetries({
    async send() {
      modelled++;
      throw new InjectedServiceError(name, code, status);
    },
  });
  const modelErr = await model.send({}).catch((e: unknown) => e);
  expect(modelled).toBe(service.requests.length);
  expect(modelErr).toMatchObject({ $metadata: { attempts: modelled } });
  expect([1, SDK_MAX_ATTEMPTS]).toContain(modelled);
});
