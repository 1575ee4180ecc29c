#!/usr/bin/env node
// The `otedama` command. Needs Node >= 22; on an older Node it re-runs itself with the Node 22
// that `npm start` / `npm test` bring into .tools/node22, or says how to get one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const node22 = fileURLToPath(new URL('../../.tools/node22/node_modules/node/bin/node', import.meta.url));
  if (existsSync(node22)) {
    const r = spawnSync(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`otedama: error: Node ${process.versions.node} is too old; Otedama needs Node >= 22 (run "npm start" once, which installs it)\n`);
  process.exit(1);
}

// node:sqlite (the embedded database) is stable enough for us but still prints an
// ExperimentalWarning on Node 22; drop exactly that warning and keep every other one.
const defaultWarningListeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  for (const listener of defaultWarningListeners) listener.call(process, warning);
});

await import('./register.mjs');
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
