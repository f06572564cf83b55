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
  /**
   * Units protected from scale-in (an ASG's instances with scale-in protection, which busy workers set
   * on themselves); the service never removes them, so a desired count below them is not asked for.
   * @default 0
   */
  readonly protected?: number;
}

export interface CapacityBackend {
  describe(): Promise<CapacitySnapshot>;
  /** Sets the desired count to an absolute value (never a delta), so a retried call cannot act twice. */
  setDesired(desired: number): Promise<void>;
}
