/**
 * The Keypool gateway as the gateway benchmark runs it: a child process serving one keys file (argv[2]) with the
 * built `@keypool/gateway` (what `keypool serve` runs), printing `{"url": ...}` on stdout once it listens, and
 * draining and exiting 0 on SIGTERM.
 */
import { serveGatewayFile } from '@keypool/gateway';

const { gateway } = await serveGatewayFile(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
