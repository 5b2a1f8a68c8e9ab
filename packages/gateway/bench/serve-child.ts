/**
 * The Keypool gateway as the benchmark runs it: a child process serving one keys file (argv[2]) from the built
 * package, printing `{"url": ...}` on stdout once it listens, and closing gracefully on SIGTERM.
 */
import { serveGatewayFile } from '@keypool/gateway';

const { gateway } = await serveGatewayFile(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
