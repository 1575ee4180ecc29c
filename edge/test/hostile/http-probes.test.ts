/**
 * Hostile: the smaller HTTP holes (issue 9, item 9). Before the fix /health and /metrics had no
 * rate limit, and POST /api/admin/profile trusted any loopback client (any local process, any
 * page the operator opened) to profile the edge for up to 10 minutes. Now the probes are rate
 * limited per address and the admin route needs the data folder's token, one profile at a time,
 * within the duration cap. Over real sockets, from other loopback addresses too.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PROFILE_SECONDS } from '../../src/api/cpu-profiler.ts';
import { readAdminToken } from '../../src/api/admin-token.ts';
import { tracked } from './hostile-edge.ts';

const { edge } = tracked(afterEach);

/** One HTTP request from `localAddress`; resolves with the status. */
function hit(url: string, localAddress: string, method = 'GET', headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, localAddress, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostile: HTTP probes and the admin route', () => {
  it('/health and /metrics are rate limited per address; another address is still answered', async () => {
    const perMinute = 60; // the default is 600; a smaller bucket keeps the flood short
    const e = await edge((c) => {
      c.security.probeRateLimitPerMinute = perMinute;
    });
    const statuses: number[] = [];
    for (let i = 0; i < perMinute * 2; i++) statuses.push(await hit(`${e.httpUrl}/${i % 2 ? 'metrics' : 'health'}`, '127.0.0.2'));
    // The burst is served, the flood past it is refused (both paths share the address's bucket).
    expect(statuses.slice(0, perMinute).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(perMinute / 2);
    // Another address has its own bucket.
    expect(await hit(`${e.httpUrl}/health`, '127.0.0.3')).toBe(200);
    expect(await hit(`${e.httpUrl}/metrics`, '127.0.0.3')).toBe(200);
  });

  it('POST /api/admin/profile needs the admin token even on loopback, is capped, and runs one at a time', async () => {
    const e = await edge();
    const url = `${e.httpUrl}/api/admin/profile`;
    expect(await hit(`${url}?seconds=1`, '127.0.0.1', 'POST')).toBe(401);
    expect(await hit(`${url}?seconds=1`, '127.0.0.1', 'POST', { authorization: 'Bearer ' + 'ab'.repeat(32) })).toBe(401);
    const auth = { authorization: `Bearer ${readAdminToken(e.dataDir)}` };
    expect(await hit(`${url}?seconds=${MAX_PROFILE_SECONDS + 1}`, '127.0.0.1', 'POST', auth)).toBe(400);
    const first = hit(`${url}?seconds=2`, '127.0.0.1', 'POST', auth);
    // While it runs, a second one is refused.
    let second = 0;
    for (let i = 0; i < 100 && second !== 409; i++) {
      second = await hit(`${url}?seconds=1`, '127.0.0.1', 'POST', auth);
      if (second === 200) throw new Error('a second profile ran while the first was running');
    }
    expect(second).toBe(409);
    expect(await first).toBe(200);
  });
});
