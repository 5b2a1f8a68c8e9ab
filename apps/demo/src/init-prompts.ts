import { POOL_STRATEGIES, type PoolStrategy, type ProviderId } from '@keypool/keystore';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { ExitCode } from './exit-codes';
import { type InitPlan, type InitProvider, keyIdProblem, parseLimit, secretProblem } from './init-plan';
import { PROVIDERS } from './providers';

const STRATEGY_HINTS: Record<PoolStrategy, string> = {
  health: 'the key with the fewest failures and the most capacity left',
  'round-robin': 'each key in turn',
  'least-used': 'the key with the fewest calls in flight',
  weighted: 'by each key’s weight',
  random: 'any usable key',
  latency: 'the fastest key',
  priority: 'the first usable key in order (a primary, then tiers), the next only when it fails',
};

/**
 * The guided setup's questions (on stderr, so stdout stays clean): which providers, each provider's keys (the
 * secret typed hidden, shown as `*`), their limits, and the strategy. Ctrl-C or Esc cancels with exit 130.
 */
export async function askInitPlan(io: CliIo, initial: Partial<InitPlan> = {}): Promise<InitPlan> {
  const prompts = await import('@clack/prompts');
  const common = { input: io.stdin as never, output: io.stderr as never };
  const answer = <T>(value: T): Exclude<T, symbol> => {
    if (prompts.isCancel(value)) {
      prompts.cancel('Nothing was written.', common);
      throw new CliError('cancelled', { exitCode: ExitCode.interrupted, code: 'cancelled' });
    }
    return value as Exclude<T, symbol>;
  };

  prompts.intro('keypool init: keys into the vault, limits and a strategy into a keys file', common);
  const chosen = answer(
    await prompts.multiselect<ProviderId>({
      ...common,
      message: 'Which providers? (space selects, enter goes on)',
      options: PROVIDERS.map((provider) => ({ value: provider, label: provider })),
      initialValues: initial.providers?.map((entry) => entry.provider) ?? [],
      required: true,
    }),
  );

  const providers: InitProvider[] = [];
  for (const provider of chosen) {
    const keys: InitProvider['keys'] = [];
    do {
      const taken = keys.map((key) => key.id);
      const id = answer(
        await prompts.text({
          ...common,
          message: `${provider}: a name for key ${keys.length + 1}`,
          defaultValue: keys.length === 0 ? 'main' : `key-${keys.length + 1}`,
          placeholder: keys.length === 0 ? 'main' : `key-${keys.length + 1}`,
          validate: (value) => (value ? keyIdProblem(value, taken) : undefined),
        }),
      ).trim();
      const secret = answer(
        await prompts.password({
          ...common,
          message: `${provider} "${id}": the secret (hidden)`,
          mask: '*',
          validate: (value) => secretProblem(value ?? ''),
        }),
      ).trim();
      io.redactor.add(secret);
      keys.push({ id, secret });
    } while (
      answer(
        await prompts.confirm({ ...common, message: `Add another ${provider} key?`, initialValue: false }),
      )
    );
    const limit = async (name: 'rpm' | 'tpm' | 'rpd', what: string) =>
      parseLimit(
        name,
        answer(
          await prompts.text({
            ...common,
            message: `${provider}: ${what} per key (blank: none, learned from the provider)`,
            placeholder: 'none',
            defaultValue: '',
            validate: (value) => {
              try {
                parseLimit(name, value);
                return undefined;
              } catch (error) {
                return (error as Error).message;
              }
            },
          }),
        ),
      );
    const rpm = await limit('rpm', 'requests per minute');
    const tpm = await limit('tpm', 'tokens per minute');
    providers.push({
      provider,
      keys,
      limits: { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }) },
    });
  }

  const strategy = answer(
    await prompts.select<PoolStrategy>({
      ...common,
      message: 'How should a pool pick the next key?',
      // The default first, then the others in the keystore's order.
      options: ['health' as const, ...POOL_STRATEGIES.filter((name) => name !== 'health')].map((name) => ({
        value: name,
        label: name,
        hint: STRATEGY_HINTS[name],
      })),
      initialValue: initial.strategy ?? 'health',
    }),
  );
  return { strategy, providers };
}
