import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scenarioTable } from '../../bench/scenarios';

/** Writes a scenario over the first `rows` minutes of a bundled one (its trace read from the repository). */
function shortened(dir: string, file: string, rows: number): void {
  const text = fs
    .readFileSync(path.join('scenarios', file), 'utf8')
    .replace(/file: \.\.\/traces\/(\S+)/, (_, trace: string) => `file: ${path.resolve('traces', trace)}\n  rows: ${rows}`);
  fs.writeFileSync(path.join(dir, file), text);
}

describe('the bench scenario table', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scenarios-'));
    // a day of a queue scenario and a day of a data-tier one: every kind's rows count their days
    shortened(dir, 'celery-batches.yaml', 1440);
    shortened(dir, 'redis-growth.yaml', 1440);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reversals a day: each row's reversals over the days its trace covers, for every kind of scenario", async () => {
    const { rows } = await scenarioTable(dir);
    expect(new Set(rows.map((r) => r.scenario))).toEqual(new Set(['celery-batches', 'redis-growth']));
    for (const r of rows) expect(r.reversalsPerDay).toBeCloseTo(r.reversals, 9);
  });
});
