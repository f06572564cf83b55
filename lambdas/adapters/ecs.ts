/**
 * Amazon ECS: read and set a service's desired count. UpdateService has no transitional error to wait
 * out (its errors are validation, missing or inactive resources, access, and ServerException, an
 * HTTP 500): throttling and server errors are the SDK's to retry (lambdas/shared/clients.ts), and
 * nothing is retried here.
 */
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { awsErrorName, TerminalError, TransientError } from '../shared/errors';
import type { CapacityBackend, CapacitySnapshot } from './capacity';
import type { SendClient } from './types';

const TERMINAL = new Set([
  'InvalidParameterException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'ClusterNotFoundException',
  'AccessDeniedException',
  'PlatformUnknownException',
  'UnsupportedFeatureException',
]);

export class EcsAdapter implements CapacityBackend {
  constructor(
    private readonly client: SendClient,
    private readonly cluster: string,
    private readonly service: string,
  ) {}

  async describe(): Promise<CapacitySnapshot> {
    const res = await this.client.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }));
    const svc = res.services?.[0];
    if (!svc || svc.status === 'INACTIVE') {
      const why = res.failures?.[0]?.reason ?? svc?.status ?? 'MISSING';
      throw new TerminalError(`ECS service "${this.service}" in cluster "${this.cluster}" not found (${why})`, 'ResourceNotFound');
    }
    return { desired: svc.desiredCount ?? 0, ready: svc.runningCount ?? 0, pending: svc.pendingCount ?? 0 };
  }

  async setDesired(desired: number): Promise<void> {
    try {
      await this.client.send(new UpdateServiceCommand({ cluster: this.cluster, service: this.service, desiredCount: desired }));
    } catch (err) {
      const name = awsErrorName(err);
      const text = `UpdateService ${this.cluster}/${this.service} to ${desired}: ${name}: ${(err as Error).message}`;
      if (TERMINAL.has(name)) throw new TerminalError(text, name, err);
      throw new TransientError(text, err);
    }
  }
}
