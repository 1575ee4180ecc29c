import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MinerControlError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { callMinerControl } from './control-client.ts';
import { startControlServer, type ControlServer } from './control-server.ts';

function fakeMiner() {
  const calls: string[] = [];
  let paused = false;
  return {
    calls,
    target: {
      status: () => ({ state: paused ? 'paused' : 'mining', paused }),
      pause: () => {
        calls.push('pause');
        paused = true;
      },
      resume: () => {
        calls.push('resume');
        paused = false;
      },
      stop: () => calls.push('stop'),
    },
  };
}

function raw(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('miner control endpoint', () => {
  it('serves status, pause, resume and stop to the CLI client', async () => {
    const m = fakeMiner();
    server = await startControlServer(m.target, 0, silentLogger);
    expect(await callMinerControl(server.port, 'status')).toEqual({ state: 'mining', paused: false });
    expect(await callMinerControl(server.port, 'pause')).toEqual({ state: 'paused', paused: true });
    expect(await callMinerControl(server.port, 'resume')).toEqual({ state: 'mining', paused: false });
    expect(await callMinerControl(server.port, 'stop')).toEqual({ stopping: true });
    await expect.poll(() => m.calls).toEqual(['pause', 'resume', 'stop']);
  });

  it('refuses what a web page could send: Origin, foreign Host, POST without the control header', async () => {
    const m = fakeMiner();
    server = await startControlServer(m.target, 0, silentLogger);
    expect((await raw(server.port, 'POST', '/stop', { origin: 'https://evil.example', 'x-otedama-control': '1' })).status).toBe(403);
    expect((await raw(server.port, 'GET', '/status', { host: 'evil.example:4049' })).status).toBe(403);
    expect((await raw(server.port, 'POST', '/pause')).status).toBe(403);
    expect((await raw(server.port, 'GET', '/pause')).status).toBe(405);
    expect((await raw(server.port, 'GET', '/nope')).status).toBe(404);
    expect(m.calls).toEqual([]);
  });

  it('says clearly when no miner listens, and when the port is taken', async () => {
    const m = fakeMiner();
    server = await startControlServer(m.target, 0, silentLogger);
    const port = server.port;
    await expect(startControlServer(m.target, port, silentLogger)).rejects.toThrow(/already in use/);
    await server.close();
    server = undefined;
    const err = await callMinerControl(port, 'status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MinerControlError);
    expect((err as MinerControlError).reason).toBe(`no otedama miner is listening on 127.0.0.1:${port} — start one with otedama mine --wallet ADDR`);
  });
});
