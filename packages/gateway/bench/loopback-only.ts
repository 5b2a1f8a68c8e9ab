/**
 * Preloaded into the Portkey gateway's process (`node --import`): its server has no host option and would listen on
 * every interface, so each `listen(port)` call gets 127.0.0.1 as its host. Nothing else changes.
 */
import net from 'node:net';

const original = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
  if (typeof args[0] === 'object' && args[0] !== null) {
    args[0] = { ...(args[0] as net.ListenOptions), host: '127.0.0.1' };
  } else if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    const callback = typeof args.at(-1) === 'function' ? args.pop() : undefined;
    args = [args[0], '127.0.0.1', ...(callback ? [callback] : [])];
  }
  return (original as (...values: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
