/** `rds-storage`: nothing read (no client for its service in the CLI). */
import { type CliBackend, nothingToRead } from './backend';

export const rdsStorageBackend: CliBackend<'rds-storage'> = {
  readNow: nothingToRead('the CLI has no RDS client; the decisions and actions on the target are in `history --target <id>`'),
  bounds: undefined,
  cooldowns: undefined,
  policy: undefined,
};
