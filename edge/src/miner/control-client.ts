/** The client side of the miner's control endpoint (control-server.ts), for `otedama mining ...`. */
import { request } from 'node:http';
import { MinerControlError } from '../errors.ts';
import { CONTROL_HEADER, CONTROL_HOST } from './control-server.ts';

/** Seconds to wait for the miner to answer. */
const CONTROL_TIMEOUT_S = 5;

export type ControlAction = 'status' | 'pause' | 'resume' | 'stop';

function notRunning(port: number): MinerControlError {
  return new MinerControlError(`no otedama miner is listening on ${CONTROL_HOST}:${port} — start one with otedama mine --wallet ADDR`);
}

/** Calls one endpoint of the miner on 127.0.0.1:port and returns its JSON answer. */
export function callMinerControl(port: number, action: ControlAction): Promise<unknown> {
  const method = action === 'status' ? 'GET' : 'POST';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: CONTROL_HOST,
        port,
        path: `/${action}`,
        method,
        headers: method === 'POST' ? { [CONTROL_HEADER]: '1', 'content-length': 0 } : {},
        timeout: CONTROL_TIMEOUT_S * 1000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            return reject(new MinerControlError(`${CONTROL_HOST}:${port} answered, but not as an otedama miner (not JSON)`));
          }
          if (res.statusCode !== 200) {
            const msg = (json as { error?: string })?.error ?? `HTTP ${res.statusCode}`;
            return reject(new MinerControlError(`the miner on ${CONTROL_HOST}:${port} refused ${action}: ${msg}`));
          }
          resolve(json);
        });
      },
    );
    req.on('timeout', () => req.destroy(new MinerControlError(`the miner on ${CONTROL_HOST}:${port} did not answer within ${CONTROL_TIMEOUT_S} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof MinerControlError) reject(err);
      else if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') reject(notRunning(port));
      else reject(new MinerControlError(`cannot reach the miner on ${CONTROL_HOST}:${port}: ${err.message}`));
    });
    req.end();
  });
}
