import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { SsmAdapter } from '../../../lambdas/adapters/ssm';
import { CallLog } from '../../../sim/cloud/recorder';
import { FakeSsm, MAX_STANDARD_VALUE_LENGTH } from '../../../sim/cloud/ssm';

describe('FakeSsm through SsmAdapter', () => {
  const make = () => {
    let now = 1_000;
    const log = new CallLog(() => now);
    const ssm = new FakeSsm({ log, now: () => now });
    return { ssm, log, adapter: new SsmAdapter(ssm), advance: (ms: number) => (now += ms) };
  };

  test('a missing parameter reads as undefined; put writes, overwrites, and skips an unchanged value', async () => {
    const { ssm, adapter, advance, log } = make();
    expect(await adapter.get('/shop/orders-db/reader-endpoints')).toBeUndefined();
    expect(await adapter.put('/shop/orders-db/reader-endpoints', '{"readers":[]}', 'Reader endpoints')).toBe('written');
    expect(ssm.parameters.get('/shop/orders-db/reader-endpoints')).toEqual({
      name: '/shop/orders-db/reader-endpoints',
      value: '{"readers":[]}',
      type: 'String',
      description: 'Reader endpoints',
      version: 1,
      lastModified: 1_000,
    });
    expect(await adapter.put('/shop/orders-db/reader-endpoints', '{"readers":[]}', 'Reader endpoints')).toBe('unchanged');
    advance(5_000);
    expect(await adapter.put('/shop/orders-db/reader-endpoints', '{"readers":[1]}', 'Reader endpoints')).toBe('written');
    expect(ssm.parameters.get('/shop/orders-db/reader-endpoints')).toMatchObject({ value: '{"readers":[1]}', version: 2, lastModified: 6_000 });
    expect(await adapter.get('/shop/orders-db/reader-endpoints')).toBe('{"readers":[1]}');
    expect(log.of('ssm').map((c) => c.command)).toEqual([
      'GetParameterCommand',
      'GetParameterCommand',
      'PutParameterCommand',
      'GetParameterCommand',
      'GetParameterCommand',
      'PutParameterCommand',
      'GetParameterCommand',
    ]);
  });

  test('GetParameter of a missing name is ParameterNotFound; a write without Overwrite is refused; limits are named', async () => {
    const { ssm } = make();
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
      message: expect.stringContaining('/nope'),
    });
    expect(await ssm.send(new PutParameterCommand({ Name: '/p', Value: 'a', Type: 'String' }))).toMatchObject({ Version: 1, Tier: 'Standard' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/p', Value: 'b', Type: 'String' }))).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(ssm.parameters.get('/p')?.value).toBe('a');
    await expect(ssm.send(new PutParameterCommand({ Name: '/q', Value: 'a' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('/q'),
    });
    await expect(ssm.send(new PutParameterCommand({ Name: '/p', Value: 'x'.repeat(MAX_STANDARD_VALUE_LENGTH + 1), Overwrite: true }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(`length ${MAX_STANDARD_VALUE_LENGTH + 1}`),
    });
    const byArn = await ssm.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/p' }));
    expect(byArn.Parameter).toMatchObject({ Name: '/p', Value: 'a', Version: 1, ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/p' });
  });

  test('unknown commands are named', async () => {
    const { ssm } = make();
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/p' }))).rejects.toThrow('in-memory SSM does not implement DeleteParameterCommand');
  });
});
