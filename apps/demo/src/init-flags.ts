import { POOL_STRATEGIES, type PoolStrategy, type ProviderId } from '@keypool/keystore';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import {
  type InitLimits,
  type InitPlan,
  type InitProvider,
  keyIdProblem,
  parseLimit,
  secretProblem,
} from './init-plan';
import { parseProvider } from './providers';

/** The flags of `keypool init --yes`. */
export interface InitFlags {
  /** `provider:id`, repeatable: one key each, its secret read from stdin (one line per key, in this order). */
  key?: string[];
  strategy?: string;
  /** `n` (every provider) or `provider=n`, repeatable. */
  rpm?: string[];
  tpm?: string[];
  rpd?: string[];
}

const MAX_STDIN_BYTES = 64 * 1024;

/** The chosen strategy, or a usage error listing the known ones. */
export function parseStrategy(value: string | undefined): PoolStrategy {
  const name = (value ?? 'health').trim();
  if ((POOL_STRATEGIES as readonly string[]).includes(name)) return name as PoolStrategy;
  throw CliError.usage(`unknown strategy "${name}": use one of ${POOL_STRATEGIES.join(', ')}`, 'bad_option');
}

/** `--rpm 500` (every provider) and `--rpm openai=500` (one provider; it wins). */
function limitFor(name: keyof InitLimits, values: readonly string[] | undefined, provider: ProviderId) {
  let all: number | undefined;
  let own: number | undefined;
  for (const value of values ?? []) {
    const equals = value.indexOf('=');
    if (equals < 0) all = parseLimit(`--${name}`, value);
    else if (parseProvider(value.slice(0, equals)) === provider)
      own = parseLimit(`--${name} ${provider}`, value.slice(equals + 1));
  }
  return own ?? all;
}

/** Reads stdin (a pipe or a file) whole, up to 64 KiB, as non-empty trimmed lines. */
async function stdinLines(io: CliIo): Promise<string[]> {
  if (io.stdin.isTTY === true) return [];
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw CliError.usage('stdin is longer than 64 KiB', 'bad_secret');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * The plan of `keypool init --yes`: each `--key provider:id` takes the next line of stdin as its secret (a pipe, so
 * the secret never appears in `ps` or shell history), with the limits and strategy from the flags.
 */
export async function planFromFlags(io: CliIo, flags: InitFlags): Promise<InitPlan> {
  const strategy = parseStrategy(flags.strategy);
  const specs = flags.key ?? [];
  if (specs.length === 0)
    throw CliError.usage(
      'init --yes needs at least one --key <provider>:<id>, its secret on stdin (one line per key)',
      'no_keys',
    );
  const secrets = await stdinLines(io);
  for (const secret of secrets) io.redactor.add(secret);
  if (secrets.length !== specs.length)
    throw CliError.usage(
      `init --yes got ${specs.length} --key flag(s) but ${secrets.length} secret line(s) on stdin; give one line per key`,
      'bad_secret',
    );
  const byProvider = new Map<ProviderId, InitProvider>();
  specs.forEach((spec, index) => {
    const colon = spec.indexOf(':');
    if (colon <= 0)
      throw CliError.usage(`--key "${spec}" must be <provider>:<id>, e.g. openai:main`, 'bad_option');
    const provider = parseProvider(spec.slice(0, colon));
    const id = spec.slice(colon + 1);
    const entry = byProvider.get(provider) ?? { provider, keys: [], limits: {} };
    byProvider.set(provider, entry);
    const idProblem = keyIdProblem(
      id,
      entry.keys.map((key) => key.id),
    );
    if (idProblem) throw CliError.usage(`--key ${spec}: ${idProblem}`, 'bad_option');
    const secret = secrets[index]!;
    const problem = secretProblem(secret);
    if (problem)
      throw CliError.usage(`stdin line ${index + 1} (${provider} "${id}"): ${problem}`, 'bad_secret');
    entry.keys.push({ id, secret });
  });
  for (const entry of byProvider.values()) {
    for (const name of ['rpm', 'tpm', 'rpd'] as const) {
      const value = limitFor(name, flags[name], entry.provider);
      if (value !== undefined) entry.limits[name] = value;
    }
  }
  return { strategy, providers: [...byProvider.values()] };
}
