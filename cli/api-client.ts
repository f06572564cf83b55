/**
 * The operator API as the CLI calls it (`--api URL`): each request signed with SigV4 for
 * `execute-api`, with the credentials of the SDK's default chain (or `--profile`), since every route
 * takes IAM authorization only (API Gateway Developer Guide, "Control access to HTTP APIs with IAM
 * authorization": clients sign their requests with Signature Version 4; the service name in the
 * signature's scope is `execute-api`).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { type ApiClient, type AwsOptions, CliError } from './deps';

export interface SignedApiClientOptions {
  /** @default the SDK's default chain, with `--profile` when given */
  readonly credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  /** @default global fetch */
  readonly fetch?: typeof fetch;
}

/** The region of an execute-api URL (`https://<id>.execute-api.<region>.amazonaws.com/`), if it is one. */
export function regionOfApiUrl(url: URL): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/** A client of the API at `base`, every request signed; the region from `--region`, else from the URL. */
export function signedApiClient(base: string, aws: AwsOptions, options: SignedApiClientOptions = {}): ApiClient {
  let root: URL;
  try {
    root = new URL(base);
  } catch {
    throw new CliError(`--api "${base}" is not a URL (the stack output AutoscalerApiUrl, https://<id>.execute-api.<region>.amazonaws.com/)`);
  }
  if (root.protocol !== 'https:' && root.hostname !== '127.0.0.1' && root.hostname !== 'localhost')
    throw new CliError(`--api "${base}" must be https: signed requests go over TLS only`);
  const region = aws.region ?? regionOfApiUrl(root) ?? process.env.AWS_REGION;
  if (!region) throw new CliError(`no AWS region for --api "${base}": pass --region (the API's own), or set AWS_REGION`);
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    sha256: Sha256,
    credentials: options.credentials ?? defaultProvider(aws.profile ? { profile: aws.profile } : {}),
  });
  const send = options.fetch ?? fetch;
  return {
    async request(method, path, opts = {}) {
      const query = Object.fromEntries(Object.entries(opts.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const pathname = `${root.pathname.replace(/\/+$/, '')}${path}`;
      const headers: Record<string, string> = {
        host: root.host,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      };
      const signed = await signer.sign({
        method,
        protocol: root.protocol,
        hostname: root.hostname,
        port: root.port ? Number(root.port) : undefined,
        path: pathname,
        query,
        headers,
        body,
      });
      const url = new URL(pathname, root);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const res = await send(url, { method, headers: signed.headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.ok) return parsed;
      const answer = (parsed ?? {}) as { error?: string; message?: string; problems?: string[] };
      if (res.status === 403 && answer.error === undefined)
        throw new CliError(
          `the API refused the call (403 ${answer.message ?? 'Forbidden'}): the caller needs execute-api:Invoke on ${method} ${path}, and the request must be signed for region ${region}`,
        );
      const why = answer.error ?? answer.message ?? (text.slice(0, 200) || res.statusText);
      throw new CliError(`${method} ${path}: ${res.status} ${why}${answer.problems?.length ? `: ${answer.problems.join('; ')}` : ''}`);
    },
  };
}
