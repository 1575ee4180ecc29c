/**
 * The admin API's credential, as bitcoind's RPC cookie: a random token written at start to
 * `<dataDir>/admin.token` (mode 0600, removed at stop), so whoever can read the data folder (the
 * operator, `otedama profile`) can call the admin routes and nobody else can, not even another
 * user or a browser page on the same machine (loopback alone is not a credential: any local
 * process and any page the operator opens can reach 127.0.0.1). Requests carry it as
 * `Authorization: Bearer <token>`; it is compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin.token';
/** Random bytes of a token (hex in the file). */
const TOKEN_BYTES = 32;

export class AdminToken {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  /** Writes a fresh token into the data folder (replacing an old one). */
  static async create(dataDir: string): Promise<AdminToken> {
    const path = join(dataDir, ADMIN_TOKEN_FILE);
    const token = randomBytes(TOKEN_BYTES).toString('hex');
    await writeFile(path, token + '\n', { mode: 0o600 });
    await chmod(path, 0o600);
    return new AdminToken(path, token);
  }

  /** True when an Authorization header carries this token. */
  matches(authorization: string | undefined): boolean {
    const m = /^Bearer\s+([0-9a-f]+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1]!.toLowerCase());
    const want = Buffer.from(this.token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  /** Removes the file if it still holds this token (idempotent). */
  async remove(): Promise<void> {
    try {
      if ((await readFile(this.path, 'utf8')).trim() === this.token) await unlink(this.path);
    } catch {
      // Already gone.
    }
  }
}

/** The token of the edge running on `dataDir` (for the CLI), or undefined when there is none to read. */
export function readAdminToken(dataDir: string): string | undefined {
  try {
    const t = readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
    return /^[0-9a-f]+$/.test(t) ? t : undefined;
  } catch {
    return undefined;
  }
}
