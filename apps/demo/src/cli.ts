import * as nodeModule from 'node:module';

// Node's on-disk compile cache makes every later start of the CLI faster (the SDKs and zod are big to compile). It
// must be on before the rest is imported, hence the dynamic import below.
// (Looked up, not imported by name, so an older Node without it still starts.)
nodeModule.enableCompileCache?.();

// A closed pipe (`keypool keys list | head -1`) ends the process quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The `keypool` binary. Exit codes: see exit-codes.ts and the README.
const { runCli } = await import('./run-cli');
process.exitCode = await runCli(process.argv.slice(2));
