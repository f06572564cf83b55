/** `rds-replicas`: nothing read (no client for its service in the CLI). */
import { type CliBackend, cooldownsOf, nothingToRead } from './backend';

export const rdsReplicasBackend: CliBackend<'rds-replicas'> = {
  readNow: nothingToRead('the CLI has no RDS client; the decisions and actions on the target are in `history --target <id>`'),
  bounds: undefined,
  cooldowns: cooldownsOf,
  policy: undefined,
};
