import { MathSyntaxError, parseMath, referencedIds, renameIds, searchFilters, shapeOf } from '../../../lambdas/shared/metric-math';

const series = () => 'series' as const;

describe('metric math', () => {
  test('ids are the lowercase-first names; functions and strings are not ids', () => {
    expect(referencedIds(parseMath(`IF(m1 > 50 AND m_2 < 10, m1, FILL(m3, 0)) + SUM(SEARCH('{A,B} B="x"', 'Sum', 60))`))).toEqual(['m1', 'm_2', 'm3']);
  });

  test('precedence: * before +, ^ to the right, parentheses first', () => {
    expect(parseMath('a + b * c')).toMatchObject({ type: 'binary', op: '+', right: { type: 'binary', op: '*' } });
    expect(parseMath('a ^ b ^ c')).toMatchObject({ type: 'binary', op: '^', right: { type: 'binary', op: '^' } });
    expect(parseMath('(a + b) * c')).toMatchObject({ type: 'binary', op: '*', left: { type: 'binary', op: '+' } });
  });

  test('shapes: a reducer over an array is one series, over one series a number; SEARCH and arrays are many', () => {
    const shape = (e: string) => shapeOf(parseMath(e), series);
    expect(shape('a / b * 100')).toBe('series');
    expect(shape('SUM([a, b])')).toBe('series');
    expect(shape('SUM(a)')).toBe('scalar');
    expect(shape('[a, b]')).toBe('many');
    expect(shape('METRICS()')).toBe('many');
    expect(shape('AVG(METRICS())')).toBe('series');
    expect(shape(`SEARCH('{A,B} B="x"', 'Sum', 60) / 2`)).toBe('many');
    expect(shape('42')).toBe('scalar');
  });

  test('syntax errors name the character', () => {
    expect(() => parseMath('a + * b')).toThrow(new MathSyntaxError('unexpected "*" at character 5', 4));
    expect(() => parseMath('sum(a)')).toThrow('"sum" at character 1 is not a function (functions are upper case)');
    expect(() => parseMath(`SEARCH('open`)).toThrow('string opened at character 8 is never closed');
    expect(() => parseMath('A + b')).toThrow('"A" at character 1 is neither a query id');
  });

  test('renaming ids leaves strings, functions and spacing as written', () => {
    expect(renameIds(`FILL(errors, 0) / requests + SUM(SEARCH('errors="x"', 'Sum', 60))`, (id) => `c0_${id}`)).toBe(
      `FILL(c0_errors, 0) / c0_requests + SUM(SEARCH('errors="x"', 'Sum', 60))`,
    );
  });

  test('the filters of a SEARCH query string', () => {
    expect(searchFilters('{CWAgent,AutoScalingGroupName} MetricName="mem_used_percent" AutoScalingGroupName=web')).toEqual({
      MetricName: 'mem_used_percent',
      AutoScalingGroupName: 'web',
    });
    expect(searchFilters('{AWS/EC2,InstanceId} CPUUtilization')).toEqual({});
  });
});
