/** `cloudfront`: a distribution has no unit count; its invalidations are in the audit log. */
import { type CliBackend, nothingToRead } from './backend';

export const cloudfrontBackend: CliBackend<'cloudfront'> = {
  readNow: nothingToRead('a distribution has no unit count; its invalidations are in `history --target <id>`'),
  bounds: undefined,
  cooldowns: undefined,
  policy: undefined,
};
