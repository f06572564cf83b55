/** Every mutation of the catalog still applies: its text occurs exactly once in its file, and its tests exist. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MUTATIONS } from './catalog';

const ROOT = path.join(__dirname, '..', '..');

test('mutation ids are unique', () => {
  const ids = MUTATIONS.map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
});

for (const m of MUTATIONS) {
  test(`mutation ${m.id}: its text occurs exactly once in ${m.file}, and its tests exist`, () => {
    const text = readFileSync(path.join(ROOT, m.file), 'utf8');
    expect(text.split(m.find).length - 1).toBe(1);
    expect(m.replace).not.toBe(m.find);
    expect(m.tests.length).toBeGreaterThan(0);
    for (const t of m.tests) expect(existsSync(path.join(ROOT, t))).toBe(true);
  });
}
