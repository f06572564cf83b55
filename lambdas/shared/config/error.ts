/**
 * A config, or an operator's change to it, that failed validation. Apart from the schema and its issue
 * lines (./issues.ts) so that the operator API throws and catches it without loading zod.
 */

/** A config that failed validation; `problems` holds one line per issue, each naming a path and the value. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}invalid autoscaler config:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}
