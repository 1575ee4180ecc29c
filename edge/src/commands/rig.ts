/**
 * `otedama rig --browsers N --url URL --address ADDR`: N headless Chromium browsers (Debian's,
 * through playwright-core) on this machine, each mining in one page of the pool's web app for
 * ADDR, restarted with backoff when they crash or stall, with a live table (per browser and
 * total hashrate, shares, restarts, peers) and a summary on Ctrl+C. The operator consents for
 * the browsers: the rig says so when it starts. The rig itself is apps/rig.
 */
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { OtedamaError, validateAddress } from '@otedama/core';
import type { RigEvent } from '@otedama/rig';
import { poolNetwork } from '@otedama/web/address-check';
import { BROWSER_ALGORITHMS } from '@otedama/web/settings';
import type { Command } from '../command.ts';
import { JSON_FLAG } from '../command.ts';
import { CliUsageError } from '../errors.ts';

/** Most browsers one rig starts (each is a Chromium process of a few hundred MB). */
export const MAX_RIG_BROWSERS = 64;
/** Most CPU threads per browser (the web page's own limit is the machine's cores). */
export const MAX_RIG_THREADS = 256;
/** How long (ms) the pool's API gets to answer before the rig gives up. */
const POOL_CHECK_TIMEOUT_MS = 10_000;
/** Events kept under the live table on a terminal. */
const EVENTS_SHOWN = 6;

/** CPU threads per browser by default: the machine's cores shared out, at least one each. */
export function defaultRigThreads(browsers: number, cores: number = cpus().length): number {
  return Math.max(1, Math.floor(cores / browsers));
}

/** The edge's HTTP origin from --url (http(s)://host:port[/…]); throws CliUsageError. */
export function parseRigUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`--url must be the pool edge's web address, such as http://127.0.0.1:8080/ (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`--url must be an http:// or https:// address (got "${text}")`);
  if (url.username || url.password) throw new CliUsageError('--url must not carry a user name or password');
  return url;
}

/** The rig (apps/rig, with playwright-core): loaded by `otedama rig` only, so other commands start fast. */
type RigModule = typeof import('@otedama/rig');

/** The pool's chain from its API, and ADDR checked for it; throws CliUsageError (bad address) or RigOptionError (no pool). */
async function checkAddressAtPool({ RigOptionError }: RigModule, url: URL, address: string): Promise<string> {
  let stats: unknown;
  try {
    const res = await fetch(new URL('/api/pool/stats', url.origin), { signal: AbortSignal.timeout(POOL_CHECK_TIMEOUT_MS) });
    stats = await res.json();
  } catch (err) {
    throw new RigOptionError(`cannot reach the pool at ${url.origin} (${(err as Error).message}); is the edge running there?`);
  }
  const network = poolNetwork(stats);
  if (!network) throw new RigOptionError(`${url.origin} did not say which chain it mines (GET /api/pool/stats); is it an Otedama edge?`);
  try {
    validateAddress(address, network);
  } catch (err) {
    throw new CliUsageError(`--address is not an address of the pool's chain (${network}): ${(err as OtedamaError).reason ?? String(err)}`);
  }
  return network;
}

export const rigCommand: Command = {
  words: ['rig'],
  summary: 'run N headless Chromium browsers that mine for one address (on machines you own)',
  usage: '--browsers N --url URL --address ADDR [--algo A] [--gpu] [--threads T] [--json]',
  details: [
    'Starts N headless Chromium browsers (Debian\'s /usr/bin/chromium, or $OTEDAMA_CHROMIUM), each',
    'opening the pool\'s web app at URL and mining for ADDR. Running it is your consent for these',
    'browsers: use it on machines you own. A browser that crashes or stalls is restarted with',
    'backoff. Ctrl+C stops them all and prints a summary. --gpu adds the WebGPU worker on the',
    'software adapter (Mesa lavapipe).',
    '',
    'Examples:',
    '  otedama rig --browsers 2 --url http://127.0.0.1:8080/ --address bcrt1q…',
    '  otedama rig --browsers 4 --threads 1 --url https://pool.example.org/ --address bc1q… --json',
  ].join('\n'),
  flags: [
    { name: 'browsers', type: 'integer', min: 1, max: MAX_RIG_BROWSERS, help: 'how many browsers to run', metavar: 'N' },
    { name: 'url', type: 'string', help: "the pool edge's web address, e.g. http://127.0.0.1:8080/", metavar: 'URL' },
    { name: 'address', type: 'string', help: 'payout address the browsers mine for', metavar: 'ADDR' },
    { name: 'algo', type: 'string', default: 'sha256d', help: `algorithm (${BROWSER_ALGORITHMS.map((a) => a.name).join(', ')})`, metavar: 'NAME' },
    { name: 'threads', type: 'integer', min: 0, max: MAX_RIG_THREADS, help: 'CPU threads per browser, 0 for the GPU only (default: the cores shared out)', metavar: 'T' },
    { name: 'gpu', type: 'boolean', help: 'also mine with WebGPU (software adapter) in each browser' },
    { name: 'stats-interval', type: 'duration', default: 2, help: 'seconds between table updates (or --json stats lines)', metavar: 'DURATION' },
    JSON_FLAG,
  ],
  async run(args, io) {
    const f = args.flags;
    if (args.positionals.length) throw new CliUsageError(`unexpected argument "${args.positionals[0]}" (flags only; see otedama rig --help)`);
    if (f.browsers === undefined) throw new CliUsageError('missing --browsers N (how many browsers to run)');
    if (f.url === undefined) throw new CliUsageError("missing --url URL (the pool edge's web address)");
    if (f.address === undefined) throw new CliUsageError('missing --address ADDR (the payout address)');
    const browsers = Number(f.browsers);
    const url = parseRigUrl(String(f.url));
    const address = String(f.address).trim();
    if (!/^[A-Za-z0-9]{14,100}$/.test(address)) throw new CliUsageError(`--address must be 14-100 letters and digits (got "${address.slice(0, 40)}")`);
    const algo = String(f.algo).trim().toLowerCase();
    if (!BROWSER_ALGORITHMS.some((a) => a.name === algo)) throw new CliUsageError(`--algo must be one of ${BROWSER_ALGORITHMS.map((a) => a.name).join(', ')} (the algorithms with browser engines; got "${f.algo}")`);
    const gpu = !!f.gpu;
    const threads = f.threads === undefined ? defaultRigThreads(browsers) : Number(f.threads);
    if (threads === 0 && !gpu) throw new CliUsageError('--threads 0 needs --gpu (nothing would mine)');
    const rigModule = await import('@otedama/rig');
    const { chromiumPath, chromiumSwitches, eventText, formatSummary, formatTable, jsonLine, Rig, RigOptionError, statsJson, summaryJson } = rigModule;
    const executablePath = chromiumPath(io.env);
    if (!existsSync(executablePath)) throw new RigOptionError(`no Chromium at ${executablePath}: install Debian's (apt-get install chromium) or set OTEDAMA_CHROMIUM`);
    const network = await checkAddressAtPool(rigModule, url, address);

    const json = !!f.json;
    const tty = !json && !!process.stdout.isTTY;
    const out = (line: string) => io.out(line);
    const consent = `${browsers} headless Chromium browser(s), ${threads} CPU thread(s) each${gpu ? ' and the GPU (software WebGPU)' : ''}, mining ${algo} for ${address} at ${url.origin} (${network})`;
    if (json) out(jsonLine('consent', { operatorConsents: true, browsers, threads, gpu, algo, address, url: url.href, network }));
    else io.err(`otedama rig: you, the operator, consent for these browsers (run this only on machines you own): ${consent}. Ctrl+C stops them and prints a summary.`);

    const events: string[] = [];
    let drawn = 0;
    const onEvent = (e: RigEvent) => {
      if (json) {
        out(jsonLine('event', { ...e }));
      } else if (tty) {
        events.push(eventText(e));
        events.splice(0, Math.max(0, events.length - EVENTS_SHOWN));
      } else {
        io.err(eventText(e));
      }
    };
    const rig = new Rig(
      { browsers, url: url.href, address, algo, threads, gpu, executablePath, switches: chromiumSwitches({ gpu, root: process.getuid?.() === 0 }) },
      { onEvent },
    );
    const draw = () => {
      const s = rig.snapshot();
      if (json) {
        out(jsonLine('stats', statsJson(s)));
        return;
      }
      const lines = [...formatTable(s), ...(tty ? events : [])];
      if (tty) {
        process.stdout.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else out(lines.join('\n'));
    };

    let stopped = false;
    const stopRequested = new Promise<void>((resolve) => {
      if (io.stopSignal.aborted) resolve();
      io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    const timer = setInterval(draw, Number(f['stats-interval']) * 1000);
    try {
      await Promise.race([rig.start(), stopRequested]);
      await stopRequested;
    } finally {
      clearInterval(timer);
      if (!stopped) {
        stopped = true;
        const last = await rig.stop();
        if (json) out(jsonLine('summary', summaryJson(last)));
        else {
          if (tty) draw();
          out(formatSummary(last).join('\n'));
        }
      }
    }
    return 0;
  },
};
