/**
 * A Redis that speaks the wire protocol (RESP) on the loopback, for the broker reader's tests: lists and
 * hashes per database, AUTH (a password, or an ACL user and password), SELECT, LLEN, HLEN, PING, QUIT.
 * Real clients talk to it as to Redis, over TCP or TLS; every command it receives is logged. Just enough
 * of Redis for kombu's keys, answered as Redis answers (WRONGTYPE, NOAUTH, an unknown command).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

type Value = { type: 'list'; items: string[] } | { type: 'hash'; fields: Map<string, string> } | { type: 'string'; value: string };

export interface RespServerOptions {
  /** AUTH required: the password, and the ACL user (`default` when unset). @default no AUTH */
  readonly auth?: { readonly username?: string; readonly password: string };
  /** Databases SELECT accepts. @default 16 */
  readonly databases?: number;
  /** The loopback port. @default an ephemeral one */
  readonly port?: number;
  /** TLS with this key and certificate (PEM). @default plain TCP */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export class RespServer {
  /** Every command received, by connection order: its name (upper case) and arguments. */
  readonly commands: string[][] = [];
  /** With TLS, the server name (SNI) each connection asked for, `false` when none. */
  readonly servernames: (string | false)[] = [];
  private readonly dbs = new Map<number, Map<string, Value>>();
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly options: RespServerOptions) {
    this.server = options.tls ? tls.createServer(options.tls, (socket) => this.serve(socket)) : net.createServer((socket) => this.serve(socket));
  }

  /** Starts a server on the loopback. */
  static async start(options: RespServerOptions = {}): Promise<RespServer & { port: number }> {
    const s = new RespServer(options);
    await new Promise<void>((resolve) => s.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return Object.assign(s, { port: (s.server.address() as net.AddressInfo).port });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private db(n: number): Map<string, Value> {
    let db = this.dbs.get(n);
    if (!db) {
      db = new Map();
      this.dbs.set(n, db);
    }
    return db;
  }

  /** Fills a list with `n` messages (as LPUSH would). */
  list(key: string, n: number, database = 0): this {
    this.db(database).set(key, { type: 'list', items: Array.from({ length: n }, (_, i) => `m${i}`) });
    return this;
  }

  /** Fills a hash with `n` fields (kombu's `unacked`: delivery tag -> message). */
  hash(key: string, n: number, database = 0): this {
    this.db(database).set(key, { type: 'hash', fields: new Map(Array.from({ length: n }, (_, i) => [`tag${i}`, '[]'])) });
    return this;
  }

  /** A string key (another application's, or a mistake). */
  string(key: string, value: string, database = 0): this {
    this.db(database).set(key, { type: 'string', value });
    return this;
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    if (socket instanceof tls.TLSSocket) this.servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const session = { db: 0, authed: !this.options.auth };
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseCommand(buffer);
        if (!parsed) break;
        buffer = buffer.subarray(parsed.used);
        const [name, ...args] = parsed.args;
        this.commands.push([name.toUpperCase(), ...args]);
        socket.write(this.answer(name.toUpperCase(), args, session));
        if (name.toUpperCase() === 'QUIT') socket.end();
      }
    });
  }

  private answer(name: string, args: string[], session: { db: number; authed: boolean }): string {
    if (name === 'AUTH') {
      const [user, password] = args.length === 2 ? args : ['default', args[0]];
      const want = this.options.auth;
      if (!want || (user === (want.username ?? 'default') && password === want.password)) {
        session.authed = true;
        return '+OK\r\n';
      }
      return '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
    }
    if (!session.authed) return '-NOAUTH Authentication required.\r\n';
    const key = args[0];
    const value = key !== undefined ? this.db(session.db).get(key) : undefined;
    switch (name) {
      case 'PING':
        return '+PONG\r\n';
      case 'QUIT':
        return '+OK\r\n';
      case 'SELECT': {
        const n = Number(key);
        if (!Number.isInteger(n) || n < 0 || n >= (this.options.databases ?? 16)) return '-ERR DB index is out of range\r\n';
        session.db = n;
        return '+OK\r\n';
      }
      case 'LLEN':
        if (value && value.type !== 'list') return WRONGTYPE;
        return `:${value?.items.length ?? 0}\r\n`;
      case 'HLEN':
        if (value && value.type !== 'hash') return WRONGTYPE;
        return `:${value?.fields.size ?? 0}\r\n`;
      default:
        return `-ERR unknown command '${name}'\r\n`;
    }
  }
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

/** One RESP array of bulk strings from the front of `buf`, or undefined until it is whole. */
function parseCommand(buf: Buffer): { args: string[]; used: number } | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0x2a /* '*' */) throw new Error(`the test server takes RESP arrays only, got ${JSON.stringify(buf.toString('latin1', 0, 20))}`);
  let pos = 0;
  const line = (): string | undefined => {
    const end = buf.indexOf('\r\n', pos, 'latin1');
    if (end < 0) return undefined;
    const s = buf.toString('latin1', pos, end);
    pos = end + 2;
    return s;
  };
  const head = line();
  if (head === undefined) return undefined;
  const n = Number(head.slice(1));
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = line();
    if (len === undefined) return undefined;
    const size = Number(len.slice(1));
    if (buf.length < pos + size + 2) return undefined;
    args.push(buf.toString('latin1', pos, pos + size));
    pos += size + 2;
  }
  return { args, used: pos };
}
