/** One Logger, Metrics and Tracer for every function, imported wherever they are used. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'autoscaler' });
export const metrics = new Metrics({ namespace: 'Autoscaler', serviceName: 'autoscaler' });
export const tracer = new Tracer({ serviceName: 'autoscaler' });
