import { parseTrace } from '../../sim/trace';

const csv = ['time,requests', '2026-01-05T00:00:00Z,10', '2026-01-05T00:01:00Z,20', '2026-01-05T00:02:00Z,30', '2026-01-05T00:03:00Z,40', ''].join('\n');
const all = { scale: 1, startRow: 0 };

describe('parseTrace', () => {
  test('reads the header row, times and arrivals', () => {
    const t = parseTrace(csv, 't.csv', all);
    expect(t.start).toBe(Date.parse('2026-01-05T00:00:00Z'));
    expect(Array.from(t.arrivals)).toEqual([10, 20, 30, 40]);
  });

  test('scale multiplies, startRow and rows select', () => {
    const t = parseTrace(csv, 't.csv', { scale: 1.5, startRow: 1, rows: 2 });
    expect(t.start).toBe(Date.parse('2026-01-05T00:01:00Z'));
    expect(Array.from(t.arrivals)).toEqual([30, 45]);
  });

  test('a bad row fails naming its line number and content', () => {
    const bad = csv.replace('2026-01-05T00:02:00Z,30', '2026-01-05T00:02:00Z,thirty');
    expect(() => parseTrace(bad, 't.csv', all)).toThrow('t.csv: line 4: column 2 is not a non-negative number: "2026-01-05T00:02:00Z,thirty"');
    expect(() => parseTrace(csv.replace('2026-01-05T00:01:00Z,20', 'yesterday,20'), 't.csv', all)).toThrow(
      /line 3: column 1 is not an ISO-8601 UTC time: "yesterday,20"/,
    );
    expect(() => parseTrace(csv.replace('2026-01-05T00:01:00Z,20', '2026-01-05T00:01:00Z'), 't.csv', all)).toThrow(
      /line 3: expected a time and an arrival count/,
    );
    expect(() => parseTrace(csv.replace('2026-01-05T00:03:00Z', '2026-01-05T00:00:30Z'), 't.csv', all)).toThrow(/line 5: time does not increase/);
  });

  test('rows past the end of the file name the field', () => {
    expect(() => parseTrace(csv, 't.csv', { scale: 1, startRow: 2, rows: 5 })).toThrow(/^trace\.rows: 5 rows from startRow 2 run past the end/);
    expect(() => parseTrace(csv, 't.csv', { scale: 1, startRow: 9 })).toThrow(/^trace\.startRow: 9 is past the last data row/);
  });
});
