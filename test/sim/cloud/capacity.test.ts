import {
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { type CapacityBackend, FakeAutoScaling, FakeEcs } from '../../../sim/cloud/capacity';
import { CallLog } from '../../../sim/cloud/recorder';
import { Fleet } from '../../../sim/world';

function fleetBackend(initial: number, provisioningSeconds: number) {
  const fleet = new Fleet(initial, provisioningSeconds);
  let now = 0;
  const backend: CapacityBackend = {
    get desired() {
      return fleet.desired;
    },
    setDesired: (n) => fleet.setDesired(n, now),
    units: () => fleet.units().map((u) => ({ serial: u.serial, ready: u.readyAt <= now })),
  };
  return { backend, fleet, advance: (s: number) => (now += s) };
}

describe('FakeAutoScaling', () => {
  const make = () => {
    const b = fleetBackend(2, 120);
    const log = new CallLog(() => 0);
    const asg = new FakeAutoScaling([{ name: 'web', minSize: 1, maxSize: 4, backend: b.backend }], log);
    return { ...b, log, asg };
  };

  test('DescribeAutoScalingGroups shows desired, bounds and instances InService or Pending', async () => {
    const { asg, advance } = make();
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 3 }));
    const res = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }));
    const g = res.AutoScalingGroups[0];
    expect(g).toMatchObject({ AutoScalingGroupName: 'web', DesiredCapacity: 3, MinSize: 1, MaxSize: 4 });
    expect(g.Instances.map((i: { LifecycleState: string }) => i.LifecycleState)).toEqual(['InService', 'InService', 'Pending']);
    expect(g.Instances[0]).toMatchObject({ HealthStatus: 'Healthy', ProtectedFromScaleIn: false });
    expect(g.Instances[0].InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    advance(120);
    const later = await asg.send(new DescribeAutoScalingGroupsCommand({}));
    expect(later.AutoScalingGroups[0].Instances.map((i: { LifecycleState: string }) => i.LifecycleState)).toEqual(['InService', 'InService', 'InService']);
  });

  test('SetDesiredCapacity outside MinSize/MaxSize is a ValidationError, as in AWS', async () => {
    const { asg, fleet } = make();
    await expect(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 5 }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup.',
    });
    await expect(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 0 }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.',
    });
    await expect(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 2 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(fleet.desired).toBe(2);
  });

  test('UpdateAutoScalingGroup moves the bounds; unknown commands are named', async () => {
    const { asg, fleet, log } = make();
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 3, MaxSize: 6 }));
    expect(fleet.desired).toBe(3);
    await expect(asg.send(new DescribePoliciesCommand({}))).rejects.toThrow('in-memory Auto Scaling does not implement DescribePoliciesCommand');
    expect(log.calls.map((c) => c.command)).toEqual(['UpdateAutoScalingGroupCommand', 'DescribePoliciesCommand']);
  });
});

describe('FakeEcs', () => {
  test('DescribeServices and UpdateService on the same kind of fleet', async () => {
    const b = fleetBackend(1, 60);
    const ecs = new FakeEcs([{ cluster: 'main', service: 'web', backend: b.backend }], new CallLog(() => 0));
    await ecs.send(new UpdateServiceCommand({ cluster: 'main', service: 'web', desiredCount: 3 }));
    const res = await ecs.send(new DescribeServicesCommand({ cluster: 'main', services: ['web', 'other'] }));
    expect(res.services).toEqual([
      expect.objectContaining({
        serviceName: 'web',
        status: 'ACTIVE',
        desiredCount: 3,
        runningCount: 1,
        pendingCount: 2,
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/main',
      }),
    ]);
    expect(res.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/main/other', reason: 'MISSING' }]);
    b.advance(60);
    const later = await ecs.send(new DescribeServicesCommand({ cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/main', services: ['web'] }));
    expect(later.services[0]).toMatchObject({ runningCount: 3, pendingCount: 0 });
  });
});
