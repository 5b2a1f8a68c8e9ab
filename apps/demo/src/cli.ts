import { runCli } from './run-cli';

// A closed pipe (`keypool keys list | head -1`) ends the process quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The `keypool` binary. Exit codes: see exit-codes.ts and the README.
process.exitCode = await runCli(process.argv.slice(2));
