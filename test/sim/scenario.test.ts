import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseScenarioText, ScenarioError } from '../../sim/scenario';

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
    writeFileSync(
      file,
      JSON.stringify({ name: 'j', trace: { file: 't.csv', rows: 5 }, workload: { kind: 'web', unitCapacity: 1 }, target: { maxUnits: 2 } }),
    );
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

  test('YAML syntax errors give the line', () => {
    expect(errorOf('name: [\n')).toMatch(/test\.yaml: line \d+/);
  });

  test('a missing file', () => {
    expect(() => loadScenario(join(dir, 'nope.yaml'))).toThrow(/cannot read the scenario \(ENOENT\)/);
  });
});
