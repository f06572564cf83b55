import { parseConfig } from '../../../../lambdas/shared/config';
import { customSignals } from '../../../../lambdas/shared/kinds/custom-metrics';
import { configProblems } from '../../../support/config-problems';

const asg = { id: 'web', kind: 'asg', autoScalingGroupName: 'django-web' };
const ecs = { id: 'api', kind: 'ecs-service', cluster: 'django', service: 'api' };
const websockets = {
  name: 'websockets',
  metric: { namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: 'django-web' }, stat: 'Sum' },
  targetPerUnit: 1500,
  aggregation: 'total',
};

const problems = (customMetrics: unknown[], target: object = asg): string[] => configProblems({ targets: [{ ...target, customMetrics }] });

const parsed = (customMetrics: unknown[], target: object = asg) => parseConfig({ targets: [{ ...target, customMetrics }] }).targets[0];

describe('customMetrics: accepted', () => {
  test('a metric with its dimensions, a target per unit and an aggregation; period and stat defaults filled', () => {
    const t = parsed([{ ...websockets, metric: { namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: 'django-web' } } }]);
    expect(customSignals(t as never)).toEqual([
      {
        name: 'websockets',
        queries: [
          {
            id: 'm',
            metric: { namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: 'django-web' }, stat: 'Average' },
            returnData: true,
          },
        ],
        periodSeconds: 60,
        targetPerUnit: 1500,
        threshold: undefined,
        aggregation: 'total',
        search: false,
      },
    ]);
  });

  test('the asg-memory preset is the CloudWatch agent mem_used_percent by AutoScalingGroupName, per unit', () => {
    const [signal] = customSignals(parsed([{ name: 'memory', preset: 'asg-memory', targetPerUnit: 80 }]) as never);
    expect(signal.queries[0].metric).toEqual({
      namespace: 'CWAgent',
      metricName: 'mem_used_percent',
      dimensions: { AutoScalingGroupName: 'django-web' },
      stat: 'Average',
    });
    expect(signal.aggregation).toBe('perUnit');
  });

  test('a metric math 5XX rate over two ALB metrics, with a percentile elsewhere and a threshold', () => {
    const lb = { LoadBalancer: 'app/shop/50dc6c495c0c9188' };
    const t = parsed([
      {
        name: 'error-rate',
        queries: [
          { id: 'errors', metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: lb, stat: 'Sum' } },
          { id: 'requests', metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: lb, stat: 'Sum' } },
          { id: 'rate', expression: '100 * FILL(errors, 0) / requests', returnData: true },
        ],
        threshold: 5,
      },
      { name: 'pool', metric: { namespace: 'PgBouncer', metricName: 'cl_waiting', stat: 'p95', period: 10 }, targetPerUnit: 20, aggregation: 'perUnit' },
    ]);
    const [rate, pool] = customSignals(t as never);
    expect(rate.queries.map((q) => q.returnData)).toEqual([false, false, true]);
    expect(pool.periodSeconds).toBe(10);
  });

  test('a SEARCH with a dimension filter, reduced to one series, is accepted and marked as one no alarm can watch', () => {
    const [s] = customSignals(
      parsed([
        {
          name: 'busy',
          queries: [
            {
              id: 's',
              expression: `SUM(SEARCH('{CWAgent,AutoScalingGroupName,InstanceId} MetricName="busy" AutoScalingGroupName="django-web"', 'Average', 60))`,
              returnData: true,
            },
          ],
          targetPerUnit: 10,
          aggregation: 'total',
        },
      ]) as never,
    );
    expect(s.search).toBe(true);
  });
});

describe('customMetrics: refused, with the path and the value', () => {
  test('an AWS namespace metric without dimensions would aggregate the whole account', () => {
    expect(problems([{ ...websockets, metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization' } }])).toEqual([
      "targets[0].customMetrics[0].metric.dimensions: none given for AWS/EC2 CPUUtilization: without dimensions an AWS namespace's series aggregates every resource of the account and region; name the target's (e.g. AutoScalingGroupName, LoadBalancer)",
    ]);
  });

  test("a dimensionless metric of the application's own namespace is one series and is accepted", () => {
    expect(() => parsed([{ ...websockets, metric: { namespace: 'Daphne', metricName: 'OpenConnections' } }])).not.toThrow();
  });

  test('a SEARCH without a dimension filter', () => {
    const expression = `SUM(SEARCH('{AWS/EC2,InstanceId} MetricName="CPUUtilization"', 'Average', 60))`;
    expect(problems([{ name: 'all', queries: [{ id: 's', expression, returnData: true }], threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries[0].expression: SEARCH("{AWS/EC2,InstanceId} MetricName=\\"CPUUtilization\\"") has no dimension filter (such as AutoScalingGroupName="web"): it would match the series of every resource in the account and region',
    ]);
  });

  test('duplicate names', () => {
    expect(problems([websockets, websockets])).toEqual(['targets[0].customMetrics[1].name: "websockets" is already the name of customMetrics[0]']);
  });

  test('an expression that references an unknown id', () => {
    const queries = [
      { id: 'a', metric: websockets.metric },
      { id: 'e', expression: 'a / b', returnData: true },
    ];
    expect(problems([{ name: 'x', queries, threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries[1].expression: "a / b" references "b", not an id of the other queries (a)',
    ]);
  });

  test('no query, or two, with returnData', () => {
    const queries = [
      { id: 'a', metric: websockets.metric },
      { id: 'e', expression: 'a * 2' },
    ];
    expect(problems([{ name: 'x', queries, threshold: 1 }])).toEqual([
      "targets[0].customMetrics[0].queries: 0 queries have returnData true (none); exactly one is the metric's value",
    ]);
    expect(problems([{ name: 'x', queries: queries.map((q) => ({ ...q, returnData: true })), threshold: 1 }])).toEqual([
      "targets[0].customMetrics[0].queries: 2 queries have returnData true (a, e); exactly one is the metric's value",
    ]);
  });

  test('an expression that returns many series, or a number', () => {
    const search = `SEARCH('{Daphne,AutoScalingGroupName} AutoScalingGroupName="django-web"', 'Sum', 60)`;
    expect(problems([{ name: 'x', queries: [{ id: 's', expression: search, returnData: true }], threshold: 1 }])).toEqual([
      `targets[0].customMetrics[0].queries[0].expression: ${JSON.stringify(search)} returns many time series (reduce them, e.g. SUM(...)); the metric's value must be exactly one series`,
    ]);
    const queries = [
      { id: 'a', metric: websockets.metric },
      { id: 'e', expression: 'SUM(a)', returnData: true },
    ];
    expect(problems([{ name: 'x', queries, threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries[1].expression: "SUM(a)" returns a single number, not a time series; the metric\'s value must be exactly one series',
    ]);
  });

  test('an expression that does not parse, or calls no metric math function', () => {
    const m = { id: 'a', metric: websockets.metric };
    expect(problems([{ name: 'x', queries: [m, { id: 'e', expression: 'a +', returnData: true }], threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries[1].expression: "a +": unexpected end at character 4',
    ]);
    expect(problems([{ name: 'x', queries: [m, { id: 'e', expression: 'MEDIAN(a)', returnData: true }], threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries[1].expression: "MEDIAN(a)": MEDIAN is not a CloudWatch metric math function',
    ]);
  });

  test('a high-resolution period on a metric AWS publishes every minute', () => {
    const metric = {
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      dimensions: { LoadBalancer: 'app/shop/50dc6c495c0c9188' },
      stat: 'Sum',
      period: 10,
    };
    expect(problems([{ ...websockets, metric }])).toEqual([
      'targets[0].customMetrics[0].metric.period: 10 needs a high-resolution metric; AWS/ApplicationELB RequestCount is published by AWS at 60 s resolution',
    ]);
    expect(problems([{ ...websockets, metric: { ...websockets.metric, period: 20 } }])).toEqual([
      'targets[0].customMetrics[0].metric.period: 20 is not 60, nor 10 or 30 (high resolution)',
    ]);
  });

  test('metrics of one expression at different periods', () => {
    const queries = [
      { id: 'a', metric: { ...websockets.metric, period: 10 } },
      { id: 'b', metric: websockets.metric },
      { id: 'e', expression: 'a + b', returnData: true },
    ];
    expect(problems([{ name: 'x', queries, threshold: 1 }])).toEqual([
      'targets[0].customMetrics[0].queries: the metrics have periods 10 and 60: one expression combines datapoints of one period',
    ]);
  });

  test('exactly one source and one goal; aggregation with targetPerUnit', () => {
    expect(problems([{ name: 'x', targetPerUnit: 1, aggregation: 'total' }])).toEqual([
      'targets[0].customMetrics[0]: needs exactly one of metric, queries and preset (has none)',
    ]);
    expect(problems([{ ...websockets, threshold: 3 }])).toEqual([
      'targets[0].customMetrics[0]: needs at most one of targetPerUnit and threshold (has targetPerUnit, threshold)',
      'targets[0].customMetrics[0].aggregation: "total" applies to targetPerUnit only; a threshold compares the metric as it is',
    ]);
    expect(problems([{ ...websockets, aggregation: undefined }])).toEqual([
      'targets[0].customMetrics[0].aggregation: is required with targetPerUnit: "total" (the fleet\'s value, such as a Sum) or "perUnit" (already per unit, such as an Average)',
    ]);
  });

  test('the asg-memory preset on an ECS service', () => {
    expect(problems([{ name: 'mem', preset: 'asg-memory', targetPerUnit: 80 }], ecs)).toEqual([
      'targets[0].customMetrics[0].preset: "asg-memory" does not fit this kind (no preset does)',
    ]);
  });
});
