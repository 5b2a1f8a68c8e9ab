import type { CliIo } from './cli-io';
import type { Output } from './output';

/** What a command's implementation receives besides its arguments: the process's streams and its output. */
export interface CommandContext {
  io: CliIo;
  out: Output;
}
