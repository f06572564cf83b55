/** One Logger, Metrics and Tracer for every function, imported wherever they are used. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'autoscaler' });
// Metrics' own warnings ("No application metrics to publish...") go through the Logger, as structured
// lines at its level (POWERTOOLS_LOG_LEVEL), instead of straight to stdout; EMF output is unchanged.
export const metrics = new Metrics({ namespace: 'Autoscaler', serviceName: 'autoscaler', logger });
export const tracer = new Tracer({ serviceName: 'autoscaler' });
