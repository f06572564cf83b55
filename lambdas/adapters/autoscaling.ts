/**
 * EC2 Auto Scaling: read and set an Auto Scaling group's desired capacity. Throttling and
 * ResourceContentionFault (an HTTP 500) are the SDK's to retry (lambdas/shared/clients.ts); only
 * ScalingActivityInProgressFault, a state that ends on its own, is waited out here.
 */
import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { awsErrorName, TerminalError, TransientError } from '../shared/errors';
import { withRetry } from '../shared/retry';
import type { CapacityBackend, CapacitySnapshot } from './capacity';
import type { SendClient, Sleep } from './types';

/** Another scaling activity is running; it ends on its own, so wait and try again. */
const IN_PROGRESS = 'ScalingActivityInProgressFault';
/** Errors that will not go away by retrying. */
const TERMINAL = new Set(['ValidationError', 'AccessDenied', 'AccessDeniedException', 'ServiceLinkedRoleFailure']);

export class AutoScalingAdapter implements CapacityBackend {
  constructor(
    private readonly client: SendClient,
    private readonly groupName: string,
    private readonly sleep: Sleep,
  ) {}

  async describe(): Promise<CapacitySnapshot> {
    const res = await this.client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.groupName] }));
    const group = res.AutoScalingGroups?.[0];
    if (!group) throw new TerminalError(`Auto Scaling group "${this.groupName}" not found`, 'ResourceNotFound');
    const instances: { LifecycleState?: string; HealthStatus?: string; ProtectedFromScaleIn?: boolean }[] = group.Instances ?? [];
    return {
      desired: group.DesiredCapacity ?? 0,
      ready: instances.filter((i) => i.LifecycleState === 'InService' && i.HealthStatus !== 'Unhealthy').length,
      pending: instances.filter((i) => i.LifecycleState?.startsWith('Pending')).length,
      minSize: group.MinSize,
      maxSize: group.MaxSize,
      protected: instances.filter((i) => i.ProtectedFromScaleIn && i.LifecycleState === 'InService').length,
    };
  }

  async setDesired(desired: number): Promise<void> {
    try {
      await withRetry(
        () => this.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: this.groupName, DesiredCapacity: desired, HonorCooldown: false })),
        { retryable: (e) => awsErrorName(e) === IN_PROGRESS, sleep: this.sleep },
      );
    } catch (err) {
      const name = awsErrorName(err);
      const text = `SetDesiredCapacity ${this.groupName} to ${desired}: ${name}: ${(err as Error).message}`;
      if (TERMINAL.has(name)) throw new TerminalError(text, name, err);
      throw new TransientError(text, err);
    }
  }
}
