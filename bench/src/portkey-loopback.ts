/**
 * Preloaded into the Portkey gateway's process (`node --import`): the gateway's server listens on every interface by
 * default and has no host option, so every `listen` is forced onto 127.0.0.1. Nothing else is changed.
 */
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  const [first] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    args[0] = { ...(first as net.ListenOptions), host: '127.0.0.1' };
  } else if (typeof first === 'number' || typeof first === 'string') {
    // listen(port[, host][, backlog][, callback]): put the host right after the port.
    const rest = args.slice(1);
    const callback = typeof rest.at(-1) === 'function' ? rest.pop() : undefined;
    if (typeof rest[0] === 'string') rest.shift();
    args = [first, '127.0.0.1', ...rest, ...(callback === undefined ? [] : [callback])];
  }
  return (listen as (...values: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
