/**
 * JSON-RPC envelopes as Bitcoin Core 28 answers them. The expectations are the ones Core's own
 * functional test checks (test/functional/interface_rpc.py: batches in 1.1, 1.0, 2.0 and mixed,
 * notifications, HTTP status codes, bad jsonrpc fields), plus named parameters
 * (doc/JSON-RPC-interface.md: aliases, holes, the `args` array) and argument checking
 * (RPCHelpMan: a wrong count is -1 with the help, a wrong type -3 "Wrong type passed").
 */
import { describe, expect, it } from 'vitest';
import { JsonNumberText, JsonRpcDispatcher, namedToPositional, toJson, type RpcMethod } from './json-rpc.ts';

const GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
const never = new Promise<void>(() => undefined);

const methods: Record<string, RpcMethod> = {
  getblockcount: { category: 'Blockchain', description: 'Returns the height.', args: [], run: () => 0 },
  getblockhash: {
    category: 'Blockchain',
    description: 'Returns hash of block in best-block-chain at height provided.',
    args: [{ names: 'height', type: 'number', help: '(numeric, required) The height index' }],
    run: (p) => {
      // A plain Error: the dispatcher turns it into -1 as Core turns a std::exception.
      if (p[0] !== 0) throw new Error('Block height out of range');
      return GENESIS;
    },
  },
  echo: {
    category: 'Util',
    description: 'Echoes its arguments.',
    args: [
      { names: 'first', type: 'string', help: '(string, required)' },
      { names: 'verbosity|verbose', type: 'any', optional: true, help: '(numeric, optional)' },
      { names: 'third', type: 'bool', optional: true, help: '(boolean, optional)' },
    ],
    run: (p) => p,
  },
};

function dispatcher(warm = false) {
  return new JsonRpcDispatcher({ methods, warmup: () => (warm ? 'Loading block index…' : undefined) });
}

async function send(body: unknown, d = dispatcher()) {
  const r = await d.handle(typeof body === 'string' ? body : JSON.stringify(body), { closed: never });
  return { status: r.status, json: r.body === undefined ? undefined : (JSON.parse(r.body) as unknown), raw: r.body };
}

// interface_rpc.py's four commands: one that works, an unknown method, another that works, no method.
const commands = [{ method: 'getblockcount' }, { method: 'invalidmethod' }, { method: 'getblockhash', params: [0] }, { pizza: 'sausage' }];

describe('JSON-RPC as Bitcoin Core 28', () => {
  it('every reply ends with a newline, as bitcoind\'s do (ckpool reads line by line)', async () => {
    expect((await send({ method: 'getblockcount' })).raw).toBe('{"result":0,"error":null,"id":null}\n');
  });

  it('batches: legacy (1.1 and "1.0") replies carry result and error; an empty batch is []', async () => {
    expect(await send([])).toEqual({ status: 200, json: [], raw: '[]\n' });
    const v11 = commands.map((c, i) => ({ ...c, version: '1.1', id: i }));
    expect((await send(v11)).json).toEqual([
      { result: 0, error: null, id: 0 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 1 },
      { result: GENESIS, error: null, id: 2 },
      { result: null, error: { code: -32600, message: 'Missing method' }, id: 3 },
    ]);
    const v10 = commands.map((c, i) => ({ ...c, jsonrpc: '1.0', id: i + 4 }));
    expect((await send(v10)).json).toEqual([
      { result: 0, error: null, id: 4 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 5 },
      { result: GENESIS, error: null, id: 6 },
      { result: null, error: { code: -32600, message: 'Missing method' }, id: 7 },
    ]);
  });

  it('batches: 2.0 replies carry result or error; mixed batches answer each in its own version', async () => {
    const v2 = commands.map((c, i) => ({ ...c, jsonrpc: '2.0', id: i + 8 }));
    expect(await send(v2)).toMatchObject({
      status: 200,
      json: [
        { jsonrpc: '2.0', result: 0, id: 8 },
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 9 },
        { jsonrpc: '2.0', result: GENESIS, id: 10 },
        { jsonrpc: '2.0', error: { code: -32600, message: 'Missing method' }, id: 11 },
      ],
    });
    const mixed = commands.map((c, i) => (i % 2 ? { ...c, jsonrpc: '2.0', id: i + 12 } : { ...c, version: '1.1', id: i + 12 }));
    expect((await send(mixed)).json).toEqual([
      { result: 0, error: null, id: 12 },
      { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 13 },
      { result: GENESIS, error: null, id: 14 },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Missing method' }, id: 15 },
    ]);
  });

  it('batches: notifications are never answered; a batch of only notifications is 204', async () => {
    const some = commands.map((c, i) => ({ ...c, jsonrpc: '2.0', ...(i === 0 ? { id: 16 } : {}) }));
    expect((await send(some)).json).toEqual([{ jsonrpc: '2.0', result: 0, id: 16 }]);
    const all = commands.map((c) => ({ ...c, jsonrpc: '2.0' }));
    expect(await send(all)).toEqual({ status: 204, json: undefined, raw: undefined });
  });

  it('batch items that are not objects get -32600 in place', async () => {
    expect((await send([5, { method: 'getblockcount', id: 1 }])).json).toEqual([
      { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
      { result: 0, error: null, id: 1 },
    ]);
  });

  it('HTTP status codes for legacy requests: 200, 404 unknown method, 500 other errors and parse errors', async () => {
    expect((await send({ method: 'getblockhash', params: [0], id: 0 })).status).toBe(200);
    expect(await send({ method: 'invalidmethod', params: [], id: 1 })).toMatchObject({ status: 404, json: { error: { code: -32601 } } });
    expect(await send({ method: 'getblockhash', params: [42], id: 2 })).toMatchObject({ status: 500, json: { error: { code: -1, message: 'Block height out of range' } } });
    expect(await send('this is bad')).toEqual({ status: 500, json: { result: null, error: { code: -32700, message: 'Parse error' }, id: null }, raw: expect.any(String) });
    expect(await send('')).toMatchObject({ status: 500, json: { error: { code: -32700 } } });
  });

  it('HTTP status codes for 2.0 requests: errors are 200; bad jsonrpc fields are 400', async () => {
    expect(await send({ jsonrpc: '2.0', method: 'invalidmethod', params: [], id: 1 })).toMatchObject({ status: 200, json: { jsonrpc: '2.0', error: { code: -32601 } } });
    expect(await send({ jsonrpc: '2.0', method: 'getblockhash', params: [42], id: 1 })).toMatchObject({ status: 200, json: { error: { code: -1 } } });
    expect(await send({ jsonrpc: 2, method: 'getblockcount' })).toEqual({
      status: 400,
      json: { result: null, error: { code: -32600, message: 'jsonrpc field must be a string' }, id: null },
      raw: expect.any(String),
    });
    expect(await send({ jsonrpc: '3.0', method: 'getblockcount' })).toMatchObject({ status: 400, json: { error: { code: -32600, message: 'JSON-RPC version not supported' }, id: null } });
    // rpc-bitcoin (public-pool's client) sent `"jsonrpc": 1.0`, a number: Core 28 refuses it too.
    expect(await send({ method: 'getmininginfo', params: {}, jsonrpc: 1.0, id: 'rpc-bitcoin' })).toMatchObject({ status: 400, json: { error: { message: 'jsonrpc field must be a string' } } });
  });

  it('2.0 notifications run and get 204; an id of null is still an id', async () => {
    expect(await send({ jsonrpc: '2.0', method: 'getblockcount' })).toEqual({ status: 204, json: undefined, raw: undefined });
    expect(await send({ jsonrpc: '2.0', method: 'invalidmethod' })).toMatchObject({ status: 204 });
    expect(await send({ jsonrpc: '2.0', id: null, method: 'getblockcount' })).toMatchObject({ status: 200, json: { jsonrpc: '2.0', result: 0, id: null } });
  });

  it('top-level JSON that is neither an object nor an array is -32700', async () => {
    for (const body of ['"just a string"', '42', 'null', 'true']) {
      expect(await send(body)).toMatchObject({ status: 500, json: { error: { code: -32700, message: 'Top-level object parse error' } } });
    }
  });

  it('request objects: method missing or not a string, params not an array or object', async () => {
    expect(await send({ id: 1 })).toMatchObject({ status: 400, json: { error: { message: 'Missing method' }, id: 1 } });
    expect(await send({ id: 1, method: 5 })).toMatchObject({ status: 400, json: { error: { message: 'Method must be a string' } } });
    expect(await send({ id: 1, method: 'getblockcount', params: 'x' })).toMatchObject({ status: 400, json: { error: { message: 'Params must be an array or object' } } });
    expect(await send({ id: '__proto__', method: '__proto__' })).toMatchObject({ status: 404, json: { id: '__proto__' } });
  });

  it('a wrong argument count is -1 with the help text; a wrong type is -3 naming the position', async () => {
    const few = await send({ id: 1, method: 'echo' });
    expect(few.json).toMatchObject({ error: { code: -1 } });
    expect((few.json as { error: { message: string } }).error.message).toMatch(/^echo "first" \( verbosity third \)\n\nEchoes its arguments\./);
    expect((await send({ id: 1, method: 'getblockcount', params: [1] })).json).toMatchObject({ error: { code: -1 } });
    expect((await send({ id: 1, method: 'getblockhash', params: ['1'] })).json).toEqual({
      result: null,
      error: { code: -3, message: 'Wrong type passed:\n{\n    "Position 1 (height)": "JSON value of type string is not of expected type number"\n}' },
      id: 1,
    });
    expect((await send({ id: 1, method: 'echo', params: [null] })).json).toMatchObject({ error: { code: -3, message: expect.stringContaining('JSON value of type null is not of expected type string') } });
    // Optional arguments may be null; "any" arguments are not checked.
    expect((await send({ id: 1, method: 'echo', params: ['a', 'anything', null] })).json).toMatchObject({ result: ['a', 'anything', null] });
  });

  it('named parameters: aliases, holes filled with null, the args array, unknown names', async () => {
    expect((await send({ id: 1, method: 'echo', params: { first: 'a', third: true } })).json).toMatchObject({ result: ['a', null, true] });
    expect((await send({ id: 1, method: 'echo', params: { first: 'a', verbose: 2 } })).json).toMatchObject({ result: ['a', 2] });
    expect((await send({ id: 1, method: 'echo', params: { args: ['a', 1], third: false } })).json).toMatchObject({ result: ['a', 1, false] });
    expect((await send({ id: 1, method: 'echo', params: { first: 'a', bogus: 1 } })).json).toMatchObject({ error: { code: -8, message: 'Unknown named parameter bogus' } });
    expect((await send({ id: 1, method: 'echo', params: { args: ['a'], first: 'b' } })).json).toMatchObject({
      error: { code: -8, message: 'Parameter first specified twice both as positional and named argument' },
    });
    expect(namedToPositional(methods.echo!.args, {})).toEqual([]);
  });

  it('every call answers -28 with the status while loading, unknown methods included', async () => {
    const d = dispatcher(true);
    expect((await send({ id: 1, method: 'getblockcount' }, d)).json).toEqual({ result: null, error: { code: -28, message: 'Loading block index…' }, id: 1 });
    expect((await send({ id: 1, method: 'nope' }, d)).json).toMatchObject({ error: { code: -28 } });
  });

  it('random JSON in any shape gets a JSON-RPC answer, never an exception', async () => {
    let seed = 42;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const value = (depth: number): unknown => {
      switch (rand(depth > 2 ? 6 : 9)) {
        case 0: return null;
        case 1: return rand(2) === 0;
        case 2: return rand(1000) - 500;
        case 3: return ['getblockcount', 'getblockhash', 'echo', '2.0', '1.0', 'args', '', '__proto__'][rand(8)];
        case 4: return 1.5;
        case 5: return 'x'.repeat(rand(5));
        case 6: return Array.from({ length: rand(4) }, () => value(depth + 1));
        default: {
          const keys = ['method', 'params', 'id', 'jsonrpc', 'version', 'first', 'height', 'args', 'bogus'];
          return Object.fromEntries(Array.from({ length: rand(5) }, () => [keys[rand(keys.length)]!, value(depth + 1)]));
        }
      }
    };
    for (let i = 0; i < 300; i++) {
      const r = await send(value(0));
      expect([200, 204, 400, 404, 500]).toContain(r.status);
      if (r.status !== 204) expect(r.raw!.endsWith('\n')).toBe(true);
    }
  });

  it('writes amounts as Core does (50.00000000) and everything else as compact JSON', () => {
    expect(toJson({ value: new JsonNumberText('50.00000000'), n: 0, a: [1, 'x', null, undefined], skip: undefined })).toBe('{"value":50.00000000,"n":0,"a":[1,"x",null,null]}');
  });
});
