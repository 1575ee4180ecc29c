/**
 * `otedama wallet new|show|balance`: a key for a newcomer's payouts on a test chain, kept in an
 * encrypted file (core's wallet file: AES-256-GCM under PBKDF2-SHA-256, the same format the web
 * page keeps in IndexedDB), and what the address holds.
 *
 *   new      makes a key, writes <data dir>/wallet.json (mode 0600, never over an existing file)
 *            encrypted with a passphrase asked twice on the terminal (hidden) or read from
 *            --passphrase-file, and prints the address. Only for simnet/regtest unless --force:
 *            a pool's tool is not where real coins should live (see the details text).
 *   show     prints the address (no passphrase needed); --export asks for the passphrase and
 *            prints the private key in WIF (to import into Bitcoin Core or Electrum).
 *   balance  the address's coins on the pool's chain (the node's scantxoutset: simnet implements
 *            it) and what the pool's API holds for it (carried balance, estimate of the next block).
 *
 * The passphrase never comes from a flag (it would sit in the shell history and `ps`).
 */
import {
  DEFAULT_PBKDF2_ITERATIONS,
  checkWalletFile,
  encodeWif,
  generatePrivateKey,
  openWalletFile,
  passphraseProblem,
  sealPrivateKey,
  validateAddress,
  WalletError,
  type Network,
  type WalletFile,
} from '@otedama/core';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JSON_FLAG, type CliIO, type Command } from '../command.ts';
import type { FlagSpec, ParsedArgs } from '../cli-args.ts';
import { RpcClient } from '../chain/rpc-client.ts';
import { defaultDataDir } from '../config/config.ts';
import { CliUsageError, EdgeClientError } from '../errors.ts';
import { EdgeClient } from './edge-client.ts';
import { noPositionals, URL_FLAG, type HealthJson } from './edge-api.ts';
import { formatCoins } from './format.ts';

export const WALLET_FILE_NAME = 'wallet.json';
/** Bitcoin's coinbase maturity: a coinbase output is spendable after this many confirmations. */
export const COINBASE_MATURITY = 100;
/** Networks `wallet new` makes keys for without --force (test coins only). */
const TEST_NETWORKS = ['simnet', 'regtest'] as const;
const NETWORK_CHOICES = ['simnet', 'regtest', 'testnet', 'mainnet'] as const;
type ChainName = (typeof NETWORK_CHOICES)[number];

const WALLET_FLAG: FlagSpec = { name: 'wallet', type: 'string', help: `wallet file (default: <data dir>/${WALLET_FILE_NAME}; data dir from OTEDAMA_DATA_DIR or ~/.otedama)`, metavar: 'FILE' };
const PASSPHRASE_FILE_FLAG: FlagSpec = { name: 'passphrase-file', type: 'string', help: 'read the passphrase from the first line of FILE instead of asking on the terminal', metavar: 'FILE' };

function walletPath(args: ParsedArgs, io: CliIO): string {
  return args.flags.wallet ? String(args.flags.wallet) : join(defaultDataDir(io.env), WALLET_FILE_NAME);
}

function toNetwork(chain: ChainName): Network {
  return chain === 'simnet' ? 'regtest' : chain;
}

// ---- passphrases -------------------------------------------------------------------------

/** Keys typed ahead of a prompt (after an earlier line's Enter): the next prompt reads them first. */
let typedAhead = '';

/** Reads one line from the terminal without echoing it (Ctrl+C aborts). */
function askHidden(question: string, io: CliIO): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return Promise.reject(new CliUsageError('no terminal to ask for the passphrase on; pass --passphrase-file FILE'));
  }
  // Echo off before the prompt shows: keys typed once it is there are never echoed.
  stdin.setRawMode(true);
  io.err(question);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    /** Takes keys until Enter; true when the line is complete (the rest is kept for the next prompt). */
    const take = (chunk: string): boolean => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n') {
          typedAhead = chars.slice(i + 1).join('').replace(/^\n/, '');
          done();
          return true;
        }
        if (ch === '\u0003') {
          done(new CliUsageError('cancelled'));
          return true;
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
      return false;
    };
    const onData = (chunk: string) => void take(chunk);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    const ahead = typedAhead;
    typedAhead = '';
    if (!take(ahead)) stdin.resume();
  });
}

async function passphraseFromFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliUsageError(`cannot read --passphrase-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new CliUsageError(`--passphrase-file ${path} is empty; its first line is the passphrase`);
  return line;
}

/** The passphrase for a new wallet: from the file, or asked twice on the terminal. */
async function newPassphrase(args: ParsedArgs, io: CliIO): Promise<string> {
  const file = args.flags['passphrase-file'];
  const passphrase = file ? await passphraseFromFile(String(file)) : await askHidden('Passphrase for the new wallet (at least 8 characters):', io);
  const problem = passphraseProblem(passphrase);
  if (problem) throw new WalletError('passphrase', problem);
  if (!file && (await askHidden('The same passphrase again:', io)) !== passphrase) throw new WalletError('passphrase', 'the two passphrases differ; nothing was written');
  return passphrase;
}

async function existingPassphrase(args: ParsedArgs, io: CliIO): Promise<string> {
  const file = args.flags['passphrase-file'];
  return file ? passphraseFromFile(String(file)) : askHidden('Passphrase of the wallet:', io);
}

// ---- the file ----------------------------------------------------------------------------

async function readWallet(path: string): Promise<WalletFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new WalletError('file', `no wallet at ${path}; make one with: otedama wallet new`);
    throw new WalletError('file', `cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WalletError('file', `${path} is not JSON, so not an Otedama wallet file`);
  }
  try {
    return checkWalletFile(raw);
  } catch (err) {
    throw err instanceof WalletError ? new WalletError(err.field, `${path}: ${err.reason}`) : err;
  }
}

/** Writes the file readable by its owner only, never over an existing one (a lost key is lost money). */
async function writeWallet(path: string, file: WalletFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // A hard link is created atomically and never replaces a file: exclusive and complete at once.
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WalletError('file', `${path} exists already; a wallet file is never overwritten (move it away first, or pass --wallet OTHER_FILE)`);
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** The chain the pool at --url mines (its /api/pool/stats), or undefined when no edge answers. */
async function poolChain(url: string): Promise<ChainName | undefined> {
  try {
    const stats = await new EdgeClient(url).get<{ pool?: { network?: string } }>('/api/pool/stats');
    const n = stats.pool?.network;
    return NETWORK_CHOICES.includes(n as ChainName) ? (n as ChainName) : undefined;
  } catch (err) {
    if (err instanceof EdgeClientError) return undefined;
    throw err;
  }
}

// ---- commands ----------------------------------------------------------------------------

export const walletNewCommand: Command = {
  words: ['wallet', 'new'],
  summary: 'make a key for test-chain payouts, stored encrypted; prints its address',
  usage: '[--network simnet|regtest|testnet|mainnet] [--wallet FILE] [--passphrase-file FILE] [--force] [--json]',
  details: [
    'The key is made here and never leaves this machine. The file holds the address in the clear and the',
    `key encrypted (AES-256-GCM, key from your passphrase by PBKDF2-SHA-256 with ${DEFAULT_PBKDF2_ITERATIONS.toLocaleString('en')} iterations).`,
    'It is the backup: copy it somewhere safe; without the passphrase nobody can use it, and neither can you.',
    '',
    'Without --network the chain is the one the pool at --url mines (simnet when no pool answers).',
    'simnet and regtest only: for testnet or mainnet it refuses unless --force. A pool operator keeps',
    'real coins in a wallet built for them (Bitcoin Core, a hardware wallet) and gives miners their',
    'addresses; this command is for trying the pool with test coins.',
  ].join('\n'),
  flags: [
    { name: 'network', type: 'string', choices: NETWORK_CHOICES, help: 'chain of the address (default: the pool\'s at --url, else simnet)', metavar: 'NAME' },
    WALLET_FLAG,
    PASSPHRASE_FILE_FLAG,
    { name: 'force', type: 'boolean', help: 'make a key for testnet or mainnet all the same' },
    URL_FLAG,
    JSON_FLAG,
  ],
  async run(args, io) {
    noPositionals(args.positionals);
    let chain = args.flags.network as ChainName | undefined;
    if (!chain) {
      chain = (await poolChain(String(args.flags.url))) ?? 'simnet';
      io.err(`network: ${chain} (${args.flags.network ? 'from --network' : `the pool at ${args.flags.url}, or simnet when none answers`})`);
    }
    if (!(TEST_NETWORKS as readonly string[]).includes(chain) && !args.flags.force) {
      throw new CliUsageError(
        `refusing to make a ${chain} key: keep real coins in a wallet made for them (Bitcoin Core, a hardware wallet) and mine to its address; --force makes one here anyway`,
      );
    }
    const path = walletPath(args, io);
    // Fail before asking for a passphrase when the file is there already.
    if (await readFile(path).then(() => true, () => false)) throw new WalletError('file', `${path} exists already; a wallet file is never overwritten (pass --wallet OTHER_FILE for another)`);
    const passphrase = await newPassphrase(args, io);
    const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
    const network = toNetwork(chain);
    const privateKey = generatePrivateKey(random);
    io.err('encrypting the key (PBKDF2, a moment)…');
    const file = await sealPrivateKey({ privateKey, network, passphrase, subtle: globalThis.crypto.subtle, random, now: Date.now() });
    privateKey.fill(0);
    await writeWallet(path, file);
    if (args.flags.json) io.out(JSON.stringify({ address: file.address, network: chain, file: path }));
    else {
      io.out(file.address);
      io.err(`wrote ${path} (keep a copy and the passphrase: they are the only way to the coins)`);
      if (chain === 'mainnet') io.err('warning: this is a mainnet key made by a mining pool tool; move coins to a wallet you trust');
    }
    return 0;
  },
};

export const walletShowCommand: Command = {
  words: ['wallet', 'show'],
  summary: 'print the wallet\'s address; --export prints its key (WIF) after the passphrase',
  usage: '[--wallet FILE] [--export [--passphrase-file FILE]] [--json]',
  details: 'The WIF imports into Bitcoin Core (importdescriptors with "wpkh(WIF)") or Electrum. Anyone who has it can spend the coins.',
  flags: [WALLET_FLAG, { name: 'export', type: 'boolean', help: 'also print the private key in WIF (asks for the passphrase)' }, PASSPHRASE_FILE_FLAG, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const path = walletPath(args, io);
    const file = await readWallet(path);
    let wif: string | undefined;
    if (args.flags.export) {
      const opened = await openWalletFile(file, await existingPassphrase(args, io), globalThis.crypto.subtle);
      wif = encodeWif(opened.privateKey, opened.network);
      opened.privateKey.fill(0);
    }
    if (args.flags.json) {
      io.out(JSON.stringify({ address: file.address, network: file.network, file: path, createdAt: file.createdAt, ...(wif ? { wif } : {}) }));
      return 0;
    }
    io.out(file.address);
    io.err(`${file.network} P2WPKH address, made ${new Date(file.createdAt).toISOString()}, in ${path}`);
    if (wif) {
      io.out(wif);
      io.err('the second line is the private key (WIF): anyone who has it can spend the coins');
    }
    return 0;
  },
};

interface ScanReply {
  height: number;
  total_amount: number;
  unspents: { amount: number; confirmations: number }[];
}

export const walletBalanceCommand: Command = {
  words: ['wallet', 'balance'],
  summary: "the wallet address's coins on the pool's chain, and what the pool holds for it",
  usage: '[--wallet FILE | --address ADDR] [--url URL] [--rpc-url URL --rpc-user U --rpc-password P | --rpc-cookie-file FILE] [--json]',
  details: [
    'On the chain: the node\'s scantxoutset (simnet implements it; bitcoind 0.17+ too). The node is the one the',
    'pool at --url reports (/health), with simnet\'s cookie from the data dir, unless --rpc-url names it.',
    `Coinbase outputs count as spendable after ${COINBASE_MATURITY} confirmations.`,
    'At the pool: the carried balance (below the minimum payout, paid with a later block) and what a block found now would pay.',
  ].join('\n'),
  flags: [
    WALLET_FLAG,
    { name: 'address', type: 'string', help: 'look up this address instead of the wallet\'s', metavar: 'ADDR' },
    URL_FLAG,
    { name: 'rpc-url', type: 'string', help: 'the node\'s JSON-RPC URL (default: the pool\'s, from /health)', metavar: 'URL' },
    { name: 'rpc-user', type: 'string', help: 'RPC user', metavar: 'U' },
    { name: 'rpc-password', type: 'string', help: 'RPC password', metavar: 'P' },
    { name: 'rpc-cookie-file', type: 'string', help: 'the node\'s .cookie file (default for simnet: <data dir>/simnet/.cookie)', metavar: 'FILE' },
    JSON_FLAG,
  ],
  async run(args, io) {
    noPositionals(args.positionals);
    const address = args.flags.address ? String(args.flags.address) : (await readWallet(walletPath(args, io))).address;
    const edge = new EdgeClient(String(args.flags.url));
    let health: HealthJson | undefined;
    let edgeProblem: string | undefined;
    try {
      health = await edge.get<HealthJson>('/health');
    } catch (err) {
      if (!(err instanceof EdgeClientError)) throw err;
      edgeProblem = err.reason;
    }
    const network = (health?.chain?.network as Network | undefined) ?? 'regtest';
    validateAddress(address, network, health?.chain?.mode === 'simnet' ? { chainName: 'simnet' } : {});

    const rpcUrl = args.flags['rpc-url'] ? String(args.flags['rpc-url']) : health?.chain?.rpcUrl;
    if (!rpcUrl) throw new CliUsageError(`no node to ask: ${edgeProblem ?? 'the pool did not name its node'}; pass --rpc-url`);
    const cookieFile = args.flags['rpc-cookie-file'] ? String(args.flags['rpc-cookie-file']) : health?.chain?.mode === 'simnet' ? join(defaultDataDir(io.env), 'simnet', '.cookie') : undefined;
    const rpc = new RpcClient({
      url: rpcUrl,
      ...(args.flags['rpc-user'] !== undefined ? { user: String(args.flags['rpc-user']), password: String(args.flags['rpc-password'] ?? '') } : {}),
      ...(cookieFile ? { cookieFile } : {}),
      retries: 0,
      logger: io.logger,
    });
    const scan = await rpc.call<ScanReply>('scantxoutset', ['start', [`addr(${address})`]], { timeoutMs: 60_000 });
    const toSats = (btc: number) => Math.round(btc * 1e8);
    const chainSats = toSats(scan.total_amount);
    const matureSats = scan.unspents.filter((u) => u.confirmations >= COINBASE_MATURITY).reduce((a, u) => a + toSats(u.amount), 0);

    let pool: { carriedSats: number; nextBlockSats: number | null; paidSats: number } | null = null;
    let poolProblem = edgeProblem;
    if (!edgeProblem) {
      try {
        const m = await edge.get<{ balance: number; paid: number; estimate: { nextBlockSats?: number | string } | null }>(`/api/miners/${encodeURIComponent(address)}`);
        const next = m.estimate?.nextBlockSats;
        pool = { carriedSats: Number(m.balance), paidSats: Number(m.paid), nextBlockSats: next === undefined ? null : Number(next) };
      } catch (err) {
        if (!(err instanceof EdgeClientError)) throw err;
        if (err.status === 404) pool = { carriedSats: 0, paidSats: 0, nextBlockSats: 0 };
        else poolProblem = err.reason;
      }
    }

    if (args.flags.json) {
      io.out(JSON.stringify({ address, chain: { height: scan.height, sats: chainSats, matureSats, outputs: scan.unspents.length }, pool, ...(poolProblem ? { poolProblem } : {}) }));
      return 0;
    }
    io.out([
      `address:   ${address}`,
      `on chain:  ${formatCoins(chainSats)} in ${scan.unspents.length} output(s) at height ${scan.height}; ${formatCoins(matureSats)} spendable (${COINBASE_MATURITY}+ confirmations)`,
      pool
        ? `at pool:   ${formatCoins(pool.carriedSats)} carried (paid with a later block), ${pool.nextBlockSats === null ? 'no estimate yet' : `${formatCoins(pool.nextBlockSats)} if a block is found now`}; ${formatCoins(pool.paidSats)} paid so far`
        : `at pool:   unavailable (${poolProblem})`,
    ].join('\n'));
    return 0;
  },
};
