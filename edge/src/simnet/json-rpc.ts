/**
 * JSON-RPC as Bitcoin Core 28 speaks it over HTTP (src/httprpc.cpp, src/rpc/request.cpp,
 * src/rpc/server.cpp, src/rpc/util.cpp), so software written against bitcoind gets the same
 * answers from simnet:
 *
 *  - legacy requests (no `jsonrpc`, or `"jsonrpc": "1.0"`; a `"version"` member is ignored) get
 *    `{"result","error","id"}` and HTTP errors: 400 for -32600, 404 for -32601, 500 otherwise;
 *  - `"jsonrpc": "2.0"` requests get `{"jsonrpc","result"|"error","id"}` with HTTP 200 once the
 *    request object parsed, and no reply at all (204) when they have no `id` (notifications);
 *    another `jsonrpc` value is -32600 "JSON-RPC version not supported", a non-string one
 *    "jsonrpc field must be a string";
 *  - a body that is not JSON is -32700 "Parse error" (500); JSON that is neither an object nor an
 *    array is -32700 "Top-level object parse error";
 *  - batches are arrays answered with HTTP 200 and an array in order, notifications left out; an
 *    empty batch is `[]`, a batch of notifications only is 204;
 *  - params by position or by name (`{"name": value}`, aliases like `verbosity|verbose`, and a
 *    leftover `args` array for positions before the named ones); unknown names are -8;
 *  - a wrong number of arguments is -1 with the method's help text; an argument of the wrong JSON
 *    type is -3 "Wrong type passed:" followed by what was wrong where; -28 while loading;
 *    errors thrown inside a method that are not RPC errors are -1 with their message.
 *
 * Every reply body ends with a newline, as bitcoind's do: ckpool reads replies line by line.
 * Where simnet differs from Core it is said here: batches hold at most MAX_BATCH requests, and
 * a repeated member name in a request object is not detected (JSON.parse keeps the last one).
 */

// Core's error codes (src/rpc/protocol.h).
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_PARSE_ERROR = -32700;
export const RPC_MISC_ERROR = -1;
export const RPC_TYPE_ERROR = -3;
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_CLIENT_NOT_CONNECTED = -9;
export const RPC_DESERIALIZATION_ERROR = -22;
export const RPC_VERIFY_ERROR = -25;
export const RPC_IN_WARMUP = -28;

/** Most requests in one batch (simnet's bound; Core has none beyond the body size). */
export const MAX_BATCH = 1000;

/** An RPC error as it goes on the wire: `{"code", "message"}`. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcFailure';
  }
}

/** A JSON number written exactly as given (Core prints amounts as 50.00000000). */
export class JsonNumberText {
  constructor(readonly text: string) {}
}

/** Compact JSON like UniValue::write(): JsonNumberText verbatim, everything else as JSON.stringify. */
export function toJson(value: unknown): string {
  if (value instanceof JsonNumberText) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** JSON types as Core names them in errors (UniValue's uvTypeName). */
export type JsonType = 'null' | 'bool' | 'object' | 'array' | 'string' | 'number';

export function jsonTypeOf(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return v instanceof JsonNumberText ? 'number' : 'object';
  if (typeof v === 'string') return 'string';
  return 'number';
}

export interface ArgSpec {
  /** Name, with aliases after `|` (Core's `verbosity|verbose`). */
  readonly names: string;
  /** Expected JSON type; 'any' skips the check (Core's skip_type_check). */
  readonly type: JsonType | 'any';
  /** Help line: "(type, optional, default=…) description". */
  readonly help: string;
  readonly optional?: boolean;
}

export interface RpcCallContext {
  /** Settles when the HTTP client goes away or the server stops (long-polls end early). */
  readonly closed: Promise<void>;
}

export interface RpcMethod {
  /** Help section ("Blockchain", "Mining", …). */
  readonly category: string;
  readonly description: string;
  readonly args: readonly ArgSpec[];
  run(params: readonly unknown[], ctx: RpcCallContext): unknown;
}

/** A JSON-RPC reply for HTTP: status and body (none for 204). */
export interface JsonRpcHttpReply {
  readonly status: number;
  readonly body?: string;
}

type Version = 'legacy' | '2.0';

interface ParsedRequest {
  version: Version;
  /** The request's id, or undefined when it had none. */
  id: unknown;
  hasId: boolean;
  method?: string;
  params?: unknown[] | Record<string, unknown>;
}

class RequestFailure extends RpcFailure {
  constructor(
    readonly partial: ParsedRequest,
    code: number,
    message: string,
  ) {
    super(code, message);
  }
}

function replyObject(req: Pick<ParsedRequest, 'version' | 'id'>, result: unknown, error: { code: number; message: string } | null): Record<string, unknown> {
  const id = req.id === undefined ? null : req.id;
  if (req.version === '2.0') return error ? { jsonrpc: '2.0', error, id } : { jsonrpc: '2.0', result, id };
  return { result: error ? null : result, error, id };
}

/** Core's JSONErrorReply: -32600 is 400, -32601 is 404, anything else 500. */
function legacyStatus(code: number): number {
  if (code === RPC_INVALID_REQUEST) return 400;
  if (code === RPC_METHOD_NOT_FOUND) return 404;
  return 500;
}

/** Core's JSONRPCRequest::parse, keeping what was learnt before a failure. */
function parseRequest(value: unknown): ParsedRequest {
  const req: ParsedRequest = { version: 'legacy', id: undefined, hasId: false };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestFailure(req, RPC_INVALID_REQUEST, 'Invalid Request object');
  const o = value as Record<string, unknown>;
  if ('jsonrpc' in o && o.jsonrpc !== null) {
    if (typeof o.jsonrpc !== 'string') throw new RequestFailure(req, RPC_INVALID_REQUEST, 'jsonrpc field must be a string');
    // "1.0" was in bitcoind's help text for years; Core accepts it as the legacy protocol.
    if (o.jsonrpc === '2.0') req.version = '2.0';
    else if (o.jsonrpc !== '1.0') throw new RequestFailure(req, RPC_INVALID_REQUEST, 'JSON-RPC version not supported');
  }
  req.hasId = 'id' in o;
  req.id = o.id;
  if (o.method === undefined || o.method === null) throw new RequestFailure(req, RPC_INVALID_REQUEST, 'Missing method');
  if (typeof o.method !== 'string') throw new RequestFailure(req, RPC_INVALID_REQUEST, 'Method must be a string');
  req.method = o.method;
  if (o.params === undefined || o.params === null) req.params = [];
  else if (typeof o.params === 'object') req.params = o.params as unknown[] | Record<string, unknown>;
  else throw new RequestFailure(req, RPC_INVALID_REQUEST, 'Params must be an array or object');
  return req;
}

/** Core's transformNamedArguments: named params to positions, holes filled with null. */
export function namedToPositional(args: readonly ArgSpec[], named: Record<string, unknown>): unknown[] {
  const left = new Map(Object.entries(named));
  const out: unknown[] = [];
  let hole = 0;
  let initialHole = 0;
  let initialParam: string | undefined;
  for (const arg of args) {
    const key = arg.names.split('|').find((n) => left.has(n));
    if (key !== undefined) {
      for (; hole > 0; hole--) out.push(null);
      initialParam ??= arg.names;
      out.push(left.get(key));
      left.delete(key);
    } else {
      hole++;
      if (out.length === 0) initialHole = hole;
    }
  }
  const positional = left.get('args');
  if (Array.isArray(positional)) {
    left.delete('args');
    if (initialHole < positional.length && initialParam !== undefined) {
      throw new RpcFailure(RPC_INVALID_PARAMETER, `Parameter ${initialParam} specified twice both as positional and named argument`);
    }
    const namedOut = out;
    const merged = [...positional];
    for (let i = merged.length; i < namedOut.length; i++) merged.push(namedOut[i]);
    return merged;
  }
  const [unknown] = left.keys();
  if (unknown !== undefined) throw new RpcFailure(RPC_INVALID_PARAMETER, `Unknown named parameter ${unknown}`);
  return out;
}

function argOneLine(a: ArgSpec): string {
  const name = a.names.split('|')[0]!;
  if (a.type === 'string') return `"${name}"`;
  if (a.type === 'object') return `{${name}}`;
  if (a.type === 'array') return `[${name}]`;
  return name;
}

/** The first line of a method's help: `name "arg" ( optional … )`. */
export function signature(name: string, method: RpcMethod): string {
  let s = name;
  let wasOptional = false;
  for (const a of method.args) {
    s += a.optional && !wasOptional ? ' ( ' : ' ';
    s += argOneLine(a);
    wasOptional = !!a.optional;
  }
  return wasOptional ? `${s} )` : s;
}

/** A method's help as bitcoind lays it out: signature, description, arguments. */
export function helpText(name: string, method: RpcMethod): string {
  let s = `${signature(name, method)}\n\n${method.description}\n`;
  if (method.args.length) {
    s += '\nArguments:\n';
    method.args.forEach((a, i) => (s += `${i + 1}. ${a.names.split('|')[0]}    ${a.help}\n`));
  }
  return s;
}

export interface JsonRpcDispatcherOptions {
  readonly methods: Readonly<Record<string, RpcMethod>>;
  /** While loading: the status message (every call answers -28 with it); undefined once ready. */
  warmup(): string | undefined;
  readonly maxBatch?: number;
  /**
   * Answer every request as JSON-RPC 1.0 (`result` and `error` always present, errors with HTTP
   * error statuses, no notifications), as nodes before Bitcoin Core 28 do: ravend 4.x ignores
   * `"jsonrpc": "2.0"`.
   */
  readonly legacyOnly?: boolean;
  /** Milliseconds, for getrpcinfo's durations. */
  now?(): number;
}

export class JsonRpcDispatcher {
  private readonly active = new Map<number, { method: string; started: number }>();
  private nextCall = 0;
  private readonly now: () => number;

  constructor(private readonly options: JsonRpcDispatcherOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Calls in progress and how long they have run (µs), for getrpcinfo. */
  activeCommands(): { method: string; duration: number }[] {
    const t = this.now();
    return [...this.active.values()].map((a) => ({ method: a.method, duration: Math.round((t - a.started) * 1000) }));
  }

  /** One HTTP body in, the HTTP status and body out. */
  async handle(text: string, ctx: RpcCallContext): Promise<JsonRpcHttpReply> {
    const send = (status: number, payload: unknown): JsonRpcHttpReply => ({ status, body: `${toJson(payload)}\n` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return send(500, replyObject({ version: 'legacy', id: null }, null, { code: RPC_PARSE_ERROR, message: 'Parse error' }));
    }
    if (Array.isArray(parsed)) {
      const max = this.options.maxBatch ?? MAX_BATCH;
      if (parsed.length > max) {
        return send(400, replyObject({ version: 'legacy', id: null }, null, { code: RPC_INVALID_REQUEST, message: `Batch holds more than ${max} requests` }));
      }
      const replies: unknown[] = [];
      for (const item of parsed) {
        const r = await this.one(item, ctx, true);
        if (r !== undefined) replies.push(r.payload);
      }
      if (replies.length === 0 && parsed.length > 0) return { status: 204 };
      return send(200, replies);
    }
    if (parsed === null || typeof parsed !== 'object') {
      return send(500, replyObject({ version: 'legacy', id: null }, null, { code: RPC_PARSE_ERROR, message: 'Top-level object parse error' }));
    }
    const r = await this.one(parsed, ctx, false);
    if (r === undefined) return { status: 204 };
    return send(r.status, r.payload);
  }

  /** One request object: its reply and HTTP status, or undefined for a notification. */
  private async one(value: unknown, ctx: RpcCallContext, inBatch: boolean): Promise<{ status: number; payload: unknown } | undefined> {
    let req: ParsedRequest;
    try {
      req = parseRequest(value);
      if (this.options.legacyOnly) req.version = 'legacy';
    } catch (err) {
      const f = err as RequestFailure;
      if (this.options.legacyOnly) f.partial.version = 'legacy';
      if (f.partial.version === '2.0' && !f.partial.hasId && inBatch) return undefined;
      return { status: inBatch ? 200 : legacyStatus(f.code), payload: replyObject(f.partial, null, { code: f.code, message: f.message }) };
    }
    const notification = req.version === '2.0' && !req.hasId;
    try {
      const result = await this.execute(req.method!, req.params!, ctx);
      if (notification) return undefined;
      return { status: 200, payload: replyObject(req, result === undefined ? null : result, null) };
    } catch (err) {
      if (notification) return undefined;
      const f = err instanceof RpcFailure ? err : new RpcFailure(RPC_MISC_ERROR, (err as Error).message);
      const status = inBatch || req.version === '2.0' ? 200 : legacyStatus(f.code);
      return { status, payload: replyObject(req, null, { code: f.code, message: f.message }) };
    }
  }

  /** Core's CRPCTable::execute and RPCHelpMan::HandleRequest. */
  private async execute(name: string, rawParams: unknown[] | Record<string, unknown>, ctx: RpcCallContext): Promise<unknown> {
    const warmup = this.options.warmup();
    if (warmup !== undefined) throw new RpcFailure(RPC_IN_WARMUP, warmup);
    const method = Object.hasOwn(this.options.methods, name) ? this.options.methods[name] : undefined;
    if (!method) throw new RpcFailure(RPC_METHOD_NOT_FOUND, 'Method not found');
    const params = Array.isArray(rawParams) ? rawParams : namedToPositional(method.args, rawParams);
    let required = 0;
    method.args.forEach((a, i) => {
      if (!a.optional) required = i + 1;
    });
    if (params.length < required || params.length > method.args.length) throw new RpcFailure(RPC_MISC_ERROR, helpText(name, method));
    const mismatch: Record<string, string> = {};
    method.args.forEach((a, i) => {
      const v = params[i];
      if (a.type === 'any' || (a.optional && (v === null || v === undefined))) return;
      const t = jsonTypeOf(v);
      if (t !== a.type) mismatch[`Position ${i + 1} (${a.names})`] = `JSON value of type ${t} is not of expected type ${a.type}`;
    });
    if (Object.keys(mismatch).length) throw new RpcFailure(RPC_TYPE_ERROR, `Wrong type passed:\n${JSON.stringify(mismatch, null, 4)}`);
    const call = this.nextCall++;
    this.active.set(call, { method: name, started: this.now() });
    try {
      return await method.run(params, ctx);
    } finally {
      this.active.delete(call);
    }
  }
}
