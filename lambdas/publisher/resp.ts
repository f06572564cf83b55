/**
 * The broker reader's Redis client: RESP2 over node:net or node:tls, AUTH and SELECT on connect, then
 * pipelines of commands, every wait bounded. RESP2 is what every Redis and ElastiCache version speaks
 * (RESP3's HELLO is Redis 6+). The reader sends AUTH, SELECT, LLEN and HLEN, which Redis answers with
 * simple strings, errors and integers; bulk strings and arrays are parsed too, so that any reply keeps
 * the stream in step. No reconnect and no queueing while offline: a broker that does not answer fails
 * this minute's read, and the next minute connects again.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

/** An error reply (`-WRONGTYPE ...`, `-NOAUTH ...`): Redis's message, its code first. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

export type RespReply = string | number | null | RespError | RespReply[];

export interface RespOptions {
  readonly host: string;
  readonly port: number;
  /**
   * TLS with Node's defaults (the server's certificate checked against the system's CAs and the host
   * name, sent as SNI unless an IP address), and these options over them.
   * @default plain TCP
   */
  readonly tls?: boolean | tls.ConnectionOptions;
  /** AUTH: the password, and the ACL user (Redis 6+) when there is one. @default no AUTH */
  readonly password?: string;
  readonly username?: string;
  /** SELECT this database. @default 0, no SELECT */
  readonly database?: number;
  /** Longest the connection may take (TCP, the TLS handshake, AUTH and SELECT), and each pipeline. */
  readonly timeoutMs: number;
}

export class RespClient {
  private readonly pending: { resolve: (reply: RespReply) => void; reject: (err: Error) => void }[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private onFailure: ((err: Error) => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** A connection ready for commands (authenticated, on its database), or the reason there is none. */
  static async connect(options: RespOptions): Promise<RespClient> {
    const { host, port, timeoutMs } = options;
    const extra = typeof options.tls === 'object' ? options.tls : {};
    const socket = options.tls ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...extra }) : net.connect({ host, port });
    const client = new RespClient(socket);
    try {
      await client.within(
        timeoutMs,
        'connecting',
        new Promise<void>((resolve, reject) => {
          socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
          client.onFailure = reject;
        }),
      );
      client.onFailure = undefined;
      const setup: string[][] = [];
      if (options.password !== undefined) setup.push(options.username ? ['AUTH', options.username, options.password] : ['AUTH', options.password]);
      if (options.database) setup.push(['SELECT', String(options.database)]);
      for (const reply of setup.length ? await client.pipeline(setup, timeoutMs) : []) if (reply instanceof RespError) throw reply;
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Sends the commands in one write; per command its reply, an error reply as a RespError. */
  pipeline(commands: readonly (readonly string[])[], timeoutMs: number): Promise<RespReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(() => new Promise<RespReply>((resolve, reject) => this.pending.push({ resolve, reject })));
    this.socket.write(Buffer.concat(commands.map(encode)));
    return this.within(timeoutMs, `${commands.length} command(s)`, Promise.all(replies));
  }

  close(): void {
    this.socket.destroy();
  }

  private within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`${what} timed out after ${ms} ms`);
        this.fail(err);
        this.socket.destroy();
        reject(err);
      }, ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private received(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let start = 0;
    try {
      for (;;) {
        const parsed = parseReply(this.buffer, start);
        if (!parsed) break;
        start = parsed.end;
        const next = this.pending.shift();
        if (!next) throw new Error('a reply to no command');
        next.resolve(parsed.value);
      }
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    this.buffer = this.buffer.subarray(start);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.onFailure?.(this.failure);
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}

/** A command as a RESP array of bulk strings (keys and arguments as UTF-8). */
function encode(args: readonly string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
}

/** One reply from `start` in `buf`, and where it ends; undefined until it is whole. */
export function parseReply(buf: Buffer, start: number): { value: RespReply; end: number } | undefined {
  const eol = buf.indexOf('\r\n', start);
  if (eol < 0) return undefined;
  const line = buf.toString('utf8', start + 1, eol);
  const end = eol + 2;
  switch (buf[start]) {
    case 0x2b /* + */:
      return { value: line, end };
    case 0x2d /* - */:
      return { value: new RespError(line), end };
    case 0x3a /* : */:
      return { value: Number(line), end };
    case 0x24 /* $ */:
      {
        const size = Number(line);
        if (size < 0) return { value: null, end };
        if (buf.length < end + size + 2) return undefined;
        return { value: buf.toString('utf8', end, end + size), end: end + size + 2 };
      }
    case 0x2a /* * */:
      {
        const count = Number(line);
        if (count < 0) return { value: null, end };
        const items: RespReply[] = [];
        let pos = end;
        for (let i = 0; i < count; i++) {
          const item = parseReply(buf, pos);
          if (!item) return undefined;
          items.push(item.value);
          pos = item.end;
        }
        return { value: items, end: pos };
      }
    default:
      throw new Error(`not a RESP2 reply: ${JSON.stringify(buf.toString('latin1', start, Math.min(eol, start + 20)))}`);
  }
}
