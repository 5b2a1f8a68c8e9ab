// A separate process that writes to a vault: `add <path> <id> <secret>` adds one openai key;
// `crash <path> <id> <secret>` does the same but is killed (SIGKILL) after writing its temporary file and before
// renaming it over the vault, i.e. a crash in the middle of a write.
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import './ts-hooks.mjs';

const [action, path, id, secret] = process.argv.slice(2);

if (action === 'crash') {
  fs.rename = async () => {
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => {});
  };
  syncBuiltinESMExports();
}

const { Vault } = await import('../vault.ts');
const vault = new Vault({
  path,
  passphrase: process.env.KEYPOOL_TEST_PASSPHRASE,
  scrypt: { N: 1024, r: 8, p: 1 },
  env: {},
  // 20 processes start at once on a shared, possibly busy machine: wait longer than the default 30 s if need be.
  lock: { timeoutMs: 100_000 },
});
await vault.add({ provider: 'openai', id, secret });
