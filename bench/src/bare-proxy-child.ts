/**
 * The bare forwarding proxy (`bare-proxy.ts`) as a child process of the gateway benchmark: forwards to `argv[2]` with
 * the key `argv[3]`, prints `{"url": ...}` once it listens, and exits on SIGTERM.
 */
import { serveBareProxy } from './bare-proxy.ts';

const proxy = await serveBareProxy(process.argv[2]!, process.argv[3]!);
process.stdout.write(`${JSON.stringify({ url: proxy.url })}\n`);
process.once('SIGTERM', () => {
  void proxy.close().then(() => process.exit(0));
});
