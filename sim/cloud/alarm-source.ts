/**
 * What the in-memory CloudWatch (cloudwatch.ts) needs of the alarm evaluator (alarms.ts): its alarms
 * as DescribeAlarms lists them. A module of its own, so that the evaluator, which reads the metric
 * store of cloudwatch.ts, and the client, which lists the evaluator's alarms, do not import each other.
 */

/** One alarm as DescribeAlarms lists it: the fields the client filters on, and the others. */
export interface DescribedAlarm {
  readonly AlarmName: string;
  readonly StateValue: string;
  readonly [field: string]: unknown;
}

export interface AlarmSource {
  /** Every alarm, as DescribeAlarms returns them. */
  describe(): DescribedAlarm[];
}
