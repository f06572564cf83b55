/**
 * The CLI with the real AWS SDK clients of cli/aws.ts and no credentials or region anywhere: what the
 * operator reads when the machine is not set up. Nothing here reaches the network: the SDK fails
 * before sending (no region; no credentials, with the instance metadata service turned off).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsDeps } from '../../cli/aws';
import { awsProblem, runCli } from '../../cli/program';

const CLEARED = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];
const saved: Record<string, string | undefined> = {};
let dir: string;
let configFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cli-aws-'));
  configFile = path.join(dir, 'autoscaler.config.yaml');
  fs.writeFileSync(configFile, 'prefix: shop\ntargets:\n  - { kind: asg, id: web, autoScalingGroupName: shop-web }\n');
  // A profile with a region and no credentials.
  fs.writeFileSync(path.join(dir, 'config'), '[profile ops]\nregion = ap-southeast-2\n');
  for (const name of [...CLEARED, 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED']) saved[name] = process.env[name];
  for (const name of CLEARED) delete process.env[name];
  process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials-none');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--config', configFile, ...args], (aws) => ({
    ...awsDeps(aws),
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  }));
  return { code, out, err };
}

test('no region anywhere: one line that says where to set it', async () => {
  expect(await run('status')).toEqual({
    code: 1,
    out: '',
    err: 'autoscaler: no AWS region: pass --region, set AWS_REGION, or set region in the profile (~/.aws/config)\n',
  });
});

test('a region but no credentials: one line that says how to supply them', async () => {
  expect(await run('--region', 'eu-west-1', 'status')).toEqual({
    code: 1,
    out: '',
    err: 'autoscaler: no AWS credentials: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n',
  });
});

test("--profile reaches the clients: its region is used, and the missing credentials are the profile's", async () => {
  expect(await run('pause', 'web', '--profile', 'ops')).toEqual({
    code: 1,
    out: '',
    err: 'autoscaler: no AWS credentials for profile "ops": check it in ~/.aws/config, or sign in (aws sso login --profile ops)\n',
  });
  expect(await awsDeps({ profile: 'ops' }).region()).toBe('ap-southeast-2');
});

test("--region wins over the profile's region", async () => {
  expect(await awsDeps({ profile: 'ops', region: 'eu-central-1' }).region()).toBe('eu-central-1');
});

test('expired credentials, and any other AWS error, keep their own line', () => {
  expect(awsProblem(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }), { profile: 'ops' })).toBe(
    'the AWS credentials have expired: sign in again (aws sso login --profile ops)',
  );
  expect(awsProblem(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }), {})).toBeUndefined();
});
