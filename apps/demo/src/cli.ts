import { runCli } from './run-cli';

// The `keypool` binary. Exit codes: see exit-codes.ts and the README.
process.exitCode = await runCli(process.argv.slice(2));
