/**
 * Amazon CloudFront: what is in progress on a distribution, and invalidations. Throttling and server
 * errors are the SDK's to retry (lambdas/shared/clients.ts); nothing is retried here, not even
 * TooManyInvalidationsInProgress: the batch waits for a later flush, the runbook for its own retry.
 */
import { CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import type { InProgress } from '../engine/cloudfront';
import { isWildcard } from '../engine/cloudfront';
import { awsErrorName, TerminalError, TransientError } from '../shared/errors';
import type { SendClient } from './types';

/** Errors that will fail the same way on every attempt: recorded and reported, never retried. */
const TERMINAL = new Set([
  'NoSuchDistribution',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidArgument',
  'BatchTooLarge',
  'InconsistentQuantities',
  'MissingBody',
  'InvalidationBatchAlreadyExists',
]);

/** CloudFront has as many invalidations in progress as it allows: the batch waits for a later attempt. */
export const BUSY_ERROR = 'TooManyInvalidationsInProgress';

export class InvalidationsBusyError extends TransientError {
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    this.name = 'InvalidationsBusyError';
  }
}

export interface InvalidationInfo {
  readonly id: string;
  /** `InProgress` or `Completed`. */
  readonly status: string;
  readonly paths: string[];
}

/** Pages of ListInvalidations read for what is in progress (newest first; older ones are long complete). */
const MAX_LIST_PAGES = 5;

export class CloudFrontAdapter {
  constructor(private readonly client: SendClient) {}

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classify(what, err);
    }
  }

  /** Paths and wildcard paths of the distribution's invalidations still in progress. */
  async inProgress(distributionId: string): Promise<InProgress> {
    const ids: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const res = await this.call(`ListInvalidations ${distributionId}`, () =>
        this.client.send(new ListInvalidationsCommand({ DistributionId: distributionId, Marker: marker, MaxItems: 100 })),
      );
      const list = res.InvalidationList;
      for (const item of list?.Items ?? []) if (item.Status === 'InProgress' && item.Id) ids.push(item.Id);
      if (!list?.IsTruncated || !list.NextMarker) break;
      marker = list.NextMarker;
    }
    let paths = 0;
    let wildcards = 0;
    for (const id of ids) {
      const inv = await this.getInvalidation(distributionId, id);
      if (inv.status !== 'InProgress') continue;
      paths += inv.paths.length;
      wildcards += inv.paths.filter(isWildcard).length;
    }
    return { paths, wildcards };
  }

  /**
   * Creates the invalidation. Repeating it with the same CallerReference and paths returns the
   * invalidation made the first time instead of a new one (CloudFront's own deduplication).
   */
  async createInvalidation(distributionId: string, callerReference: string, paths: readonly string[]): Promise<InvalidationInfo> {
    const res = await this.call(`CreateInvalidation ${distributionId} (${callerReference})`, () =>
      this.client.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: [...paths] } },
        }),
      ),
    );
    const inv = res.Invalidation;
    if (!inv?.Id) throw new TransientError(`CreateInvalidation ${distributionId}: no invalidation in the answer`);
    return { id: inv.Id, status: inv.Status ?? 'InProgress', paths: inv.InvalidationBatch?.Paths?.Items ?? [...paths] };
  }

  async getInvalidation(distributionId: string, id: string): Promise<InvalidationInfo> {
    const res = await this.call(`GetInvalidation ${distributionId} ${id}`, () =>
      this.client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id })),
    );
    const inv = res.Invalidation;
    return { id, status: inv?.Status ?? 'InProgress', paths: inv?.InvalidationBatch?.Paths?.Items ?? [] };
  }

  /** The distribution's status and domain name; NoSuchDistribution is terminal. */
  async distribution(distributionId: string): Promise<{ status: string; domainName: string; enabled: boolean }> {
    const res = await this.call(`GetDistribution ${distributionId}`, () => this.client.send(new GetDistributionCommand({ Id: distributionId })));
    const d = res.Distribution;
    return { status: d?.Status ?? 'Unknown', domainName: d?.DomainName ?? '', enabled: d?.DistributionConfig?.Enabled ?? false };
  }
}

function classify(what: string, err: unknown): Error {
  if (err instanceof TerminalError || err instanceof TransientError) return err;
  const name = awsErrorName(err);
  const text = `${what}: ${name}: ${(err as Error)?.message ?? String(err)}`;
  if (name === BUSY_ERROR) return new InvalidationsBusyError(text, err);
  if (TERMINAL.has(name)) return new TerminalError(text, name, err);
  return new TransientError(text, err);
}
