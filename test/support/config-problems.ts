/** What the config schema says of an input: every problem line of the ConfigError, or none when it is accepted. */
import { ConfigError, parseConfig } from '../../lambdas/shared/config';

export function configProblems(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
