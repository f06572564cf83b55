/** What the capacity handler needs of a web tier, whichever service runs it. */
export interface CapacitySnapshot {
  /** The desired count set now. */
  readonly desired: number;
  /** Units serving now. */
  readonly ready: number;
  /** Units starting. */
  readonly pending: number;
  /** The service's own bounds, when it has any (an ASG's MinSize/MaxSize). */
  readonly minSize?: number;
  readonly maxSize?: number;
}

export interface CapacityBackend {
  describe(): Promise<CapacitySnapshot>;
  /** Sets the desired count to an absolute value (never a delta), so a retried call cannot act twice. */
  setDesired(desired: number): Promise<void>;
}
