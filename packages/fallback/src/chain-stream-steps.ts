import { type ChatRequest, type ChatResult, StreamInterruptedError } from '@keypool/core';
import type { ChainRunner } from './chain-runner';
import { stepRequest } from './chain-step';
import type { FallbackStepStreamEvent } from './fallback-result';
import { callStepStream } from './step-call';

/**
 * One run of a chain's steps for `chain.stream` (see `chain-stream-continuation.ts` for how a break is continued):
 * before the first delta reaches the caller a failing step moves the call on; after it, the step's failure ends the
 * run (the continuation layer opens the next run). With `restartOnInterrupt`, deltas are held until the step's stream
 * ends properly.
 */
export async function* streamChainSteps(
  runner: ChainRunner,
  request: ChatRequest,
  restartOnInterrupt: boolean,
  now: () => number,
): AsyncGenerator<FallbackStepStreamEvent, void, undefined> {
  const state = runner.begin(request);
  for (;;) {
    for (const step of runner.steps) {
      const budget = runner.beforeStep(state, step);
      if (!budget) continue;
      const stepStarted = now();
      let forwarded = false;
      let verdictGiven = false;
      const held: Exclude<FallbackStepStreamEvent, { type: 'done' } | { type: 'restart' }>[] = [];
      try {
        let result: ChatResult | undefined;
        const events = callStepStream(
          step.config.pool,
          step.ref,
          stepRequest(step.config, request),
          budget,
          state.log,
        );
        for await (const event of events) {
          if (event.type === 'done') result = event.result;
          else if (restartOnInterrupt) {
            if (event.type === 'restart') held.length = 0;
            else held.push(event);
          } else {
            forwarded = true;
            yield event;
          }
        }
        if (!result) {
          // The pool already guarantees a `done`; this keeps "never a truncated success" true whatever the pool.
          throw new StreamInterruptedError(
            {
              category: 'server',
              message: 'the stream ended without its result',
              provider: step.ref.provider,
            },
            held.map((event) => (event.type === 'delta' ? event.text : '')).join(''),
          );
        }
        verdictGiven = true;
        const final = runner.served(state, step, result, true);
        for (const event of held) yield event;
        yield { type: 'done', result: final };
        return;
      } catch (error) {
        if (verdictGiven) throw error;
        verdictGiven = true;
        if (forwarded) {
          // Output reached the caller: no failover. The route broke, so the breaker hears of it.
          runner.verdict(step, request.signal?.aborted ? 'release' : 'failure');
          throw error;
        }
        const restart = StreamInterruptedError.isInstance(error) && !request.signal?.aborted;
        runner.afterFailure(
          state,
          step,
          error,
          stepStarted,
          restart ? { reason: 'stream_interrupted', action: 'next' } : undefined,
        );
      } finally {
        // The consumer stopped early (or threw into the stream): no verdict on the step.
        if (!verdictGiven) runner.verdict(step, 'release');
      }
    }
    await runner.waitOrGiveUp(state);
  }
}
