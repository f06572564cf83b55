/**
 * The data tier's runbook definitions. Each converges a resource to an absolute goal (replica count,
 * node type, storage size): check and plan, act, wait with backoff until done, publish or verify,
 * notify. A second run of the same goal finds the work done, so a duplicate or a retry is harmless.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { backoffWait, Runbook, type RunbookExits, runbookTask } from './runbook';

/** Input: `{ "targetId": "...", "desiredReplicas": N }`. */
export function replicasDefinition(fn: lambda.IFunction) {
  return (scope: Construct, exits: RunbookExits): sfn.IChainable => {
    const reconcile = Runbook.catchAll(
      runbookTask(
        scope,
        'Reconcile',
        fn,
        'replicas.reconcile',
        'Compare the replicas with the goal, clean up broken ones, check preconditions, choose the next step',
      ),
      exits,
    );
    const create = Runbook.catchAll(runbookTask(scope, 'CreateReplica', fn, 'replicas.create', "Create the chosen replica, tagged as the autoscaler's"), exits);
    const remove = Runbook.catchAll(runbookTask(scope, 'DeleteReplica', fn, 'replicas.remove', "Delete the newest of the autoscaler's replicas"), exits);
    const publish = Runbook.catchAll(runbookTask(scope, 'PublishEndpoints', fn, 'replicas.publish', 'Write the available reader endpoints to SSM'), exits);
    const notify = Runbook.catchAll(runbookTask(scope, 'Notify', fn, 'notify', 'Record and report the result'), exits);
    const wait = backoffWait(scope, 'WaitForReplicas');
    wait.next(reconcile);
    create.next(wait);
    remove.next(wait);
    publish.next(notify).next(new sfn.Succeed(scope, 'Done'));
    return reconcile.next(
      new sfn.Choice(scope, 'NextStep')
        .when(sfn.Condition.stringEquals('$.step', 'add'), create)
        .when(sfn.Condition.stringEquals('$.step', 'remove'), remove)
        .when(sfn.Condition.stringEquals('$.step', 'wait'), wait)
        .otherwise(publish),
    );
  };
}

/** Input: `{ "targetId": "...", "nodeType": "cache.r7g.xlarge", "shards": N, "replicasPerShard": N }` (any of the three). */
export function redisDefinition(fn: lambda.IFunction) {
  return (scope: Construct, exits: RunbookExits): sfn.IChainable => {
    const check = Runbook.catchAll(
      runbookTask(scope, 'CheckPreconditions', fn, 'redis.check', 'Goal within the config, group available, move allowed by AWS; choose the next change'),
      exits,
    );
    const modify = Runbook.catchAll(
      runbookTask(
        scope,
        'ModifyGroup',
        fn,
        'redis.modify',
        'ModifyReplicationGroup (node type), ModifyReplicationGroupShardConfiguration or Increase/DecreaseReplicaCount, ApplyImmediately',
      ),
      exits,
    );
    const poll = Runbook.catchAll(runbookTask(scope, 'CheckChange', fn, 'redis.poll', 'Available again?'), exits);
    const notify = Runbook.catchAll(runbookTask(scope, 'Notify', fn, 'notify', 'Record and report the result'), exits);
    const done = notify.next(new sfn.Succeed(scope, 'Done'));
    const wait = backoffWait(scope, 'WaitForChange');
    modify.next(wait);
    wait.next(poll);
    poll.next(new sfn.Choice(scope, 'Changed').when(sfn.Condition.stringEquals('$.step', 'check'), check).otherwise(wait));
    return check.next(new sfn.Choice(scope, 'NextChange').when(sfn.Condition.stringEquals('$.step', 'modify'), modify).otherwise(done));
  };
}

/** Input: `{ "targetId": "...", "allocatedGiB": N }`. */
export function storageDefinition(fn: lambda.IFunction) {
  return (scope: Construct, exits: RunbookExits): sfn.IChainable => {
    const check = Runbook.catchAll(
      runbookTask(scope, 'CheckPreconditions', fn, 'storage.check', 'Within the maximum, instance available, not optimizing storage'),
      exits,
    );
    const modify = Runbook.catchAll(runbookTask(scope, 'ModifyStorage', fn, 'storage.modify', 'ModifyDBInstance AllocatedStorage, ApplyImmediately'), exits);
    const poll = Runbook.catchAll(runbookTask(scope, 'CheckStorage', fn, 'storage.poll', 'New size allocated?'), exits);
    const notify = Runbook.catchAll(runbookTask(scope, 'Notify', fn, 'notify', 'Record and report the result'), exits);
    const done = notify.next(new sfn.Succeed(scope, 'Done'));
    const wait = backoffWait(scope, 'WaitForStorage');
    modify.next(wait);
    wait.next(poll);
    poll.next(new sfn.Choice(scope, 'Grown').when(sfn.Condition.stringEquals('$.step', 'done'), done).otherwise(wait));
    return check.next(new sfn.Choice(scope, 'NeedsGrowth').when(sfn.Condition.stringEquals('$.step', 'modify'), modify).otherwise(done));
  };
}

/** Input: `{ "targetId": "...", "instanceClass": "db.r6g.2xlarge", "applyImmediately": false }`. */
export function instanceDefinition(fn: lambda.IFunction) {
  return (scope: Construct, exits: RunbookExits): sfn.IChainable => {
    const check = Runbook.catchAll(
      runbookTask(scope, 'CheckPreconditions', fn, 'instance.check', 'Class on the ladder, instance available, change not already made or pending'),
      exits,
    );
    const modify = Runbook.catchAll(
      runbookTask(scope, 'ModifyClass', fn, 'instance.modify', 'ModifyDBInstance DBInstanceClass, now or in the maintenance window'),
      exits,
    );
    const poll = Runbook.catchAll(runbookTask(scope, 'CheckClass', fn, 'instance.poll', 'Available on the new class?'), exits);
    const notify = Runbook.catchAll(runbookTask(scope, 'Notify', fn, 'notify', 'Record and report the result'), exits);
    const done = notify.next(new sfn.Succeed(scope, 'Done'));
    const wait = backoffWait(scope, 'WaitForClass');
    modify.next(new sfn.Choice(scope, 'AppliedNow').when(sfn.Condition.stringEquals('$.step', 'wait'), wait).otherwise(done));
    wait.next(poll);
    poll.next(new sfn.Choice(scope, 'Moved').when(sfn.Condition.stringEquals('$.step', 'done'), done).otherwise(wait));
    return check.next(new sfn.Choice(scope, 'NeedsChange').when(sfn.Condition.stringEquals('$.step', 'modify'), modify).otherwise(done));
  };
}

/**
 * Input: `{ "targetId": "...", "desired": N, "reason": "...", "force": false }`. One task does the work
 * under the target's lease (a lease another invocation holds is `ResourceBusy`, waited out), then notify.
 */
export function setCapacityDefinition(fn: lambda.IFunction) {
  return (scope: Construct, exits: RunbookExits): sfn.IChainable => {
    const set = Runbook.catchAll(
      runbookTask(
        scope,
        'SetCapacity',
        fn,
        'capacity.set',
        "Under the target's lease: clamp to the bounds in force, keep busy workers, check the step and cooldowns, read the switches, set the desired count, start the cooldowns",
      ),
      exits,
    );
    const notify = Runbook.catchAll(runbookTask(scope, 'Notify', fn, 'notify', 'Record and report the result with the reason given'), exits);
    return set.next(notify).next(new sfn.Succeed(scope, 'Done'));
  };
}
