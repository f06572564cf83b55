import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseScenarioText, ScenarioError, trackingUtilization, withTrackingUtilization } from '../../sim/scenario';

const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
const parse = (text: string) => parseScenarioText(text, 'test.yaml', '/base/scenarios');
const minimalWeb = `
name: w
trace: { file: ../traces/t.csv }
workload: { kind: web, unitCapacity: 40 }
target: { maxUnits: 10 }
`;
const minimalQueue = `
name: q
trace: { file: t.csv }
workload: { kind: queue, unitCapacity: 2 }
target: { maxUnits: 10 }
`;

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('scenario defaults', () => {
  test('a minimal web scenario gets every default of the README', () => {
    const s = parse(minimalWeb);
    expect(s.trace).toEqual({ file: '/base/traces/t.csv', stepSeconds: 60, scale: 1, startRow: 0 });
    expect(s.workload).toEqual({ kind: 'web', unitCapacity: 40, provisioningSeconds: 180, initialUnits: 1 });
    expect(s.slo).toEqual({ maxUtilization: 0.9, maxWaitSeconds: 300 });
    expect(s.target).toEqual({ minUnits: 1, maxUnits: 10, targetUtilization: 70 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking']);
  });

  test('a minimal queue scenario defaults to 60 s provisioning, minUnits 0 and the queue baselines', () => {
    const s = parse(minimalQueue);
    expect(s.workload).toEqual({ kind: 'queue', unitCapacity: 2, provisioningSeconds: 60, initialUnits: 0 });
    expect(s.target.minUnits).toBe(0);
    expect(s.compare).toEqual(['seed-step', 'keda']);
  });

  test('initialUnits defaults to minUnits', () => {
    expect(parse(minimalWeb.replace('maxUnits: 10', 'maxUnits: 10, minUnits: 3')).workload.initialUnits).toBe(3);
  });

  test('JSON with the same shape is read too, and paths are relative to the scenario file', () => {
    const file = join(dir, 'j.json');
    writeFileSync(file, JSON.stringify({ name: 'j', trace: { file: 't.csv', rows: 5 }, workload: { kind: 'web', unitCapacity: 1 }, target: { maxUnits: 2 } }));
    const s = loadScenario(file);
    expect(s.trace.file).toBe(join(dir, 't.csv'));
    expect(s.trace.rows).toBe(5);
  });
});

describe('scenario errors name the field', () => {
  test('an unknown field', () => {
    expect(errorOf(minimalWeb.replace('unitCapacity: 40', 'unitCapacity: 40, unitCapacty: 3'))).toMatch(/workload\.unitCapacty: unknown key/);
    expect(errorOf(`${minimalWeb}extra: 1\n`)).toMatch(/extra: unknown key/);
  });

  test('a missing required field', () => {
    expect(errorOf(minimalWeb.replace('target: { maxUnits: 10 }', 'target: { minUnits: 1 }'))).toMatch(/target\.maxUnits: is required/);
    expect(errorOf(minimalWeb.replace('name: w\n', ''))).toMatch(/name: is required/);
  });

  test('a bad value', () => {
    expect(errorOf(minimalWeb.replace('kind: web', 'kind: batch'))).toMatch(/workload\.kind: "batch" is not one of "web", "queue"/);
    expect(errorOf(minimalWeb.replace('unitCapacity: 40', 'unitCapacity: -1'))).toMatch(/workload\.unitCapacity: -1/);
    expect(errorOf(minimalWeb.replace('maxUnits: 10', 'maxUnits: 10, minUnits: 12'))).toMatch(/target\.maxUnits: 10 is below target\.minUnits 12/);
  });

  test('a baseline of the other workload kind', () => {
    expect(errorOf(`${minimalWeb}compare: [keda]\n`)).toMatch(/compare\[0\]: "keda" is not a web baseline/);
  });

  test('the predictive anchor: never by default, in compare on web only', () => {
    expect(parse(minimalWeb).compare).toEqual(['seed-step', 'target-tracking']);
    expect(parse(`${minimalWeb}compare: [target-tracking, predictive]\n`).compare).toEqual(['target-tracking', 'predictive']);
    expect(errorOf(`${minimalQueue}compare: [predictive]\n`)).toMatch(/compare\[0\]: "predictive" is not a queue baseline/);
  });

  test("--target-utilization: the tracking baselines aim at it, the ideal and the autoscaler keep the scenario's", () => {
    const s = parse(minimalWeb);
    expect(trackingUtilization(s)).toBe(70);
    const at40 = withTrackingUtilization(s, 40);
    expect(trackingUtilization(at40)).toBe(40);
    expect(at40.target.targetUtilization).toBe(70);
    expect(() => withTrackingUtilization(s, 0)).toThrow(/--target-utilization: 0 is not a percent above 0 and at most 100/);
    expect(() => withTrackingUtilization(s, 101)).toThrow(/101 is not a percent/);
    expect(() => withTrackingUtilization(parse(minimalQueue), 50)).toThrow(/--target-utilization: q is a queue scenario/);
  });

  test('YAML syntax errors give the line', () => {
    expect(errorOf('name: [\n')).toMatch(/test\.yaml: line \d+/);
  });

  test('a missing file', () => {
    expect(() => loadScenario(join(dir, 'nope.yaml'))).toThrow(/cannot read the scenario \(ENOENT\)/);
  });
});

describe('data-tier extension: database and cache workloads', () => {
  const minimalDatabase = `
name: d
trace: { file: t.csv }
workload: { kind: database, unitCapacity: 400 }
target: { maxUnits: 5 }
`;
  const minimalCache = `
name: c
trace: { file: t.csv }
workload: { kind: cache, unitCapacity: 20000, nodeType: cache.r7g.large }
target: { maxUnits: 4, nodeTypeLadder: [cache.r7g.large, cache.r7g.xlarge] }
`;
  const scenariosDir = join(__dirname, '..', '..', 'scenarios');

  test('a minimal database scenario: 900 s provisioning, no replica, readShare 0.8, the database baselines', () => {
    const s = parse(minimalDatabase);
    expect(s.workload).toEqual({ kind: 'database', unitCapacity: 400, provisioningSeconds: 900, initialUnits: 0, database: { readShare: 0.8 } });
    expect(s.target).toEqual({ minUnits: 0, maxUnits: 5, targetUtilization: 70 });
    expect(s.slo).toEqual({ maxUtilization: 0.9, maxWaitSeconds: 300 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking']);
  });

  test('a database scenario keeps its readShare', () => {
    expect(parse(minimalDatabase.replace('unitCapacity: 400', 'unitCapacity: 400, readShare: 0.5')).workload.database).toEqual({ readShare: 0.5 });
  });

  test('a minimal cache scenario: 1200 s provisioning, one shard, 1 KiB keys for a day, cluster mode', () => {
    const s = parse(minimalCache);
    expect(s.workload).toEqual({
      kind: 'cache',
      unitCapacity: 20000,
      provisioningSeconds: 1200,
      initialUnits: 1,
      cache: { itemBytes: 1024, ttlSeconds: 86400, nodeType: 'cache.r7g.large', clusterMode: true, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
    });
    expect(s.target).toEqual({ minUnits: 1, maxUnits: 4, targetUtilization: 70 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking']);
  });

  test('web and queue scenarios get neither a database nor a cache section', () => {
    expect(parse(minimalWeb).workload).not.toHaveProperty('database');
    expect(parse(minimalWeb).workload).not.toHaveProperty('cache');
    expect(parse(minimalQueue).workload).not.toHaveProperty('database');
    expect(parse(minimalDatabase).workload).not.toHaveProperty('cache');
    expect(parse(minimalCache).workload).not.toHaveProperty('database');
  });

  test.each([
    ['readShare: 0.5', 'workload.readShare', 'database'],
    ['itemBytes: 512', 'workload.itemBytes', 'cache'],
    ['ttlSeconds: 60', 'workload.ttlSeconds', 'cache'],
    ['nodeType: cache.r7g.large', 'workload.nodeType', 'cache'],
    ['clusterMode: true', 'workload.clusterMode', 'cache'],
  ])('%s on a web, queue or other-kind workload is refused naming the field and the kind', (field, path, owner) => {
    const re = (kind: string) => new RegExp(`${path.replace('.', '\\.')}: only for ${owner} workloads, not ${kind}`);
    expect(errorOf(minimalWeb.replace('unitCapacity: 40', `unitCapacity: 40, ${field}`))).toMatch(re('web'));
    expect(errorOf(minimalQueue.replace('unitCapacity: 2', `unitCapacity: 2, ${field}`))).toMatch(re('queue'));
    const other =
      owner === 'database'
        ? minimalCache.replace('unitCapacity: 20000', `unitCapacity: 20000, ${field}`)
        : minimalDatabase.replace('unitCapacity: 400', `unitCapacity: 400, ${field}`);
    expect(errorOf(other)).toMatch(re(owner === 'database' ? 'cache' : 'database'));
  });

  test('target.nodeTypeLadder on a web or database workload is refused naming the field and the kind', () => {
    expect(errorOf(minimalWeb.replace('maxUnits: 10', 'maxUnits: 10, nodeTypeLadder: [cache.r7g.large]'))).toMatch(
      /target\.nodeTypeLadder: only for cache workloads, not web/,
    );
    expect(errorOf(minimalDatabase.replace('maxUnits: 5', 'maxUnits: 5, nodeTypeLadder: [cache.r7g.large]'))).toMatch(
      /target\.nodeTypeLadder: only for cache workloads, not database/,
    );
  });

  test('a cache without a node type ladder or a node type is refused naming each', () => {
    expect(errorOf(minimalCache.replace(', nodeTypeLadder: [cache.r7g.large, cache.r7g.xlarge]', ''))).toMatch(
      /target\.nodeTypeLadder: required for a cache workload/,
    );
    expect(errorOf(minimalCache.replace(', nodeType: cache.r7g.large', ''))).toMatch(/workload\.nodeType: required for a cache workload/);
  });

  test('a ladder node type with no known memory is refused naming it and its index', () => {
    const msg = errorOf(minimalCache.replace('[cache.r7g.large, cache.r7g.xlarge]', '[cache.r7g.large, cache.r9z.huge]'));
    expect(msg).toMatch(/target\.nodeTypeLadder\[1\]: "cache\.r9z\.huge" has no published memory size/);
  });

  test('a name of an object property is no node type; a group has at least one shard', () => {
    const msg = errorOf(
      minimalCache.replace('nodeType: cache.r7g.large', 'nodeType: toString').replace('[cache.r7g.large, cache.r7g.xlarge]', '[toString, constructor]'),
    );
    expect(msg).toMatch(/target\.nodeTypeLadder\[0\]: "toString" has no published memory size/);
    expect(msg).toMatch(/target\.nodeTypeLadder\[1\]: "constructor" has no published memory size/);
    expect(errorOf(minimalCache.replace('target: { maxUnits: 4', 'target: { minUnits: 0, maxUnits: 4'))).toMatch(
      /target\.minUnits: 0 shards; a replication group has at least 1/,
    );
  });

  test('a ladder that does not ascend in memory is refused naming the type', () => {
    expect(errorOf(minimalCache.replace('[cache.r7g.large, cache.r7g.xlarge]', '[cache.r7g.xlarge, cache.r7g.large]'))).toMatch(
      /target\.nodeTypeLadder\[1\]: "cache\.r7g\.large" is not larger than "cache\.r7g\.xlarge"/,
    );
    // r6g.large and r7g.large have the same memory: not larger either
    expect(errorOf(minimalCache.replace('[cache.r7g.large, cache.r7g.xlarge]', '[cache.r7g.large, cache.r6g.large]'))).toMatch(
      /target\.nodeTypeLadder\[1\]: "cache\.r6g\.large" is not larger than "cache\.r7g\.large"/,
    );
  });

  test('a node type not on the ladder is refused naming it', () => {
    expect(errorOf(minimalCache.replace('nodeType: cache.r7g.large', 'nodeType: cache.m7g.large'))).toMatch(
      /workload\.nodeType: "cache\.m7g\.large" is not on target\.nodeTypeLadder \(cache\.r7g\.large, cache\.r7g\.xlarge\)/,
    );
  });

  test('without cluster mode there is one shard: maxUnits above 1 is refused, 1 is fine', () => {
    const noCluster = minimalCache.replace('nodeType: cache.r7g.large', 'nodeType: cache.r7g.large, clusterMode: false');
    expect(errorOf(noCluster)).toMatch(/target\.maxUnits: 4 shards need workload\.clusterMode true/);
    const s = parse(noCluster.replace('maxUnits: 4', 'maxUnits: 1'));
    expect(s.workload.cache?.clusterMode).toBe(false);
    expect(s.target.maxUnits).toBe(1);
  });

  test('keda is not a database baseline', () => {
    expect(errorOf(`${minimalDatabase}compare: [keda]\n`)).toMatch(/compare\[0\]: "keda" is not a database baseline \(seed-step, target-tracking\)/);
    expect(errorOf(`${minimalCache}compare: [keda]\n`)).toMatch(/compare\[0\]: "keda" is not a cache baseline/);
  });

  test('autoscaler-step may be compared on web and queue workloads only', () => {
    expect(errorOf(`${minimalDatabase}compare: [autoscaler-step]\n`)).toMatch(
      /compare\[0\]: "autoscaler-step" is not a database baseline \(seed-step, target-tracking\)/,
    );
    expect(parse(`${minimalWeb}compare: [autoscaler-step]\n`).compare).toEqual(['autoscaler-step']);
  });

  test('the bundled scenarios/postgres-replicas.yaml loads', () => {
    const s = loadScenario(join(scenariosDir, 'postgres-replicas.yaml'));
    expect(s.name).toBe('postgres-replicas');
    expect(s.trace.file).toBe(join(__dirname, '..', '..', 'traces', 'nasa-jul1995-week.csv'));
    expect(s.workload).toEqual({ kind: 'database', unitCapacity: 400, provisioningSeconds: 900, initialUnits: 1, database: { readShare: 0.9 } });
    expect(s.target).toEqual({ minUnits: 1, maxUnits: 8, targetUtilization: 70 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking']);
  });

  test('the bundled scenarios/redis-growth.yaml loads', () => {
    const s = loadScenario(join(scenariosDir, 'redis-growth.yaml'));
    expect(s.name).toBe('redis-growth');
    expect(s.workload.kind).toBe('cache');
    expect(s.workload.provisioningSeconds).toBe(1200);
    expect(s.workload.initialUnits).toBe(1);
    expect(s.workload.cache).toEqual({
      itemBytes: 1024,
      ttlSeconds: 172800,
      nodeType: 'cache.r7g.large',
      clusterMode: true,
      nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'],
    });
    expect(s.target).toEqual({ minUnits: 1, maxUnits: 4, targetUtilization: 70 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking']);
  });
});
