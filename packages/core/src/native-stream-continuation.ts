import type { ErrorCategory } from './categories';
import type { StreamTarget } from './continuation-capabilities';
import type { ContinuationRecord } from './continued-stream-event';
import type { NativeInterruptMode, NativeStreamRestart } from './native-stream-restart';
import type { PoolStreamContext } from './pool-stream';
import { isPrefillRejection } from './prefill-rejection';
import { OverlapJoiner, type PrefillPlan, planPrefill } from './trim-overlap';

/**
 * How one provider's native stream events read and are rewritten, for continuing a routed stream. An event is a
 * decoded SDK chunk (gemini, mistral) or one server-sent event (openai, anthropic).
 */
export interface NativeStreamDialect<TEvent> {
  /** The answer text an event carries, if any. */
  textOf(event: TEvent): string | undefined;
  /** The same event carrying `text` instead (a continuation's text with its repeated start trimmed). */
  withText(event: TEvent, text: string): TEvent;
  /** True for an event of a tool call (structured output is never continued: the answer restarts). */
  isStructured(event: TEvent): boolean;
  /** True for the event that ends an answer properly; a stream that ends without one broke. */
  isTerminal(event: TEvent): boolean;
  /** The message of an error the provider sent as an event (the SDK would throw on it), else undefined. */
  errorOf?(event: TEvent): string | undefined;
  /**
   * A continuation's event made to belong to the stream the consumer reads (its id, creation time, model), or
   * undefined to drop it (a second message start, an empty role chunk). `first` is that stream's first event.
   */
  align(event: TEvent, first: TEvent): TEvent | undefined;
  /** The event marked as the first of a restarted answer (`keypool: { restart }` on the chunk). */
  markRestart(event: TEvent, restart: NativeStreamRestart): TEvent;
}

/** A break of a native stream after its first event: what happened, for the pool's `stream.interrupted` event. */
export class NativeStreamBreak extends Error {
  readonly category: ErrorCategory;
  constructor(category: ErrorCategory, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeStreamBreak';
    this.category = category;
  }
}

/** One (re)opened native stream: its events (the first one has arrived) and the key serving it. */
export interface OpenedNativeStream<TEvent> {
  events: AsyncIterator<TEvent>;
  keyId: string;
}

/** How to open a continuation: the prefill to send (none: ask again) and the keys that broke the answer. */
export interface NativeReopen {
  prefill: string | undefined;
  avoidKeyIds: readonly string[];
}

/** What {@link continueNativeStream} needs besides the stream. */
export interface NativeContinuationSetup<TEvent> {
  dialect: NativeStreamDialect<TEvent>;
  mode: NativeInterruptMode;
  target: StreamTarget;
  /** True when the request declared tools (never continued by prefill). */
  hasTools: boolean;
  /** The pool's events, scrubbing and capability table. */
  context: PoolStreamContext;
  /** Opens a continuation (failover until its first event); throws when none can start. */
  reopen(how: NativeReopen): Promise<OpenedNativeStream<TEvent>>;
  /** Classifies what the stream threw (an SDK error, a body error) as a break. */
  toBreak(error: unknown): NativeStreamBreak | undefined;
  maxContinuations?: number;
  maxOverlapWords?: number;
}

/** A replay plan: a continuation asked without a prefill must reproduce everything shown before going on. */
function replayPlan(shown: string): PrefillPlan {
  return { prefill: '', heldBack: shown, expectedStarts: [shown] };
}

/**
 * A routed native stream that survives breaks (see {@link NativeInterruptMode}). The consumer keeps reading the
 * SDK's own chunks: a continuation's chunks are aligned to the first stream (same id), and its repeated start is held
 * back and trimmed, so only new text arrives. A continuation that does not reproduce what was shown, a break after a
 * tool call's chunks, or `restart` mode restarts the answer: its first chunk carries `keypool.restart`. A break that
 * cannot be continued ends the stream with the original error; the pool reports each step as `stream.*` events.
 */
export async function* continueNativeStream<TEvent>(
  first: OpenedNativeStream<TEvent>,
  setup: NativeContinuationSetup<TEvent>,
): AsyncGenerator<TEvent, void, undefined> {
  const { dialect, context, target } = setup;
  const max = setup.maxContinuations ?? context.continuation.maxContinuations ?? 3;
  const overlap = setup.maxOverlapWords ?? context.continuation.maxOverlapWords;
  const model = target.model;
  let current = first;
  let firstEvent: TEvent | undefined;
  let shown = '';
  let structuredShown = false;
  let joiner: OverlapJoiner | undefined;
  let plan: PrefillPlan | undefined;
  let restartNext: NativeStreamRestart | undefined;
  let template: TEvent | undefined;
  const broken: string[] = [];
  let continuations = 0;
  try {
    yield* run();
  } finally {
    // Done, failed or stopped early by the consumer: the open request is not needed any more.
    await current.events.return?.(undefined)?.catch(() => undefined);
  }

  async function* run(): AsyncGenerator<TEvent, void, undefined> {
    for (;;) {
      let sawTerminal = false;
      try {
        for (;;) {
          const next = await current.events.next();
          if (next.done) break;
          let event: TEvent | undefined = next.value;
          const error = dialect.errorOf?.(event);
          if (error !== undefined) throw new NativeStreamBreak('server', `error event: ${error}`);
          if (firstEvent === undefined) firstEvent = event;
          else if (continuations > 0) event = dialect.align(event, firstEvent);
          if (event === undefined) continue;
          if (dialect.isTerminal(event)) sawTerminal = true;
          if (dialect.isStructured(event)) structuredShown = true;
          const text = dialect.textOf(event);
          if (joiner && plan) {
            if (text === undefined) {
              if (!sawTerminal) continue; // an empty head chunk while the start is being matched
              const end = joiner.finish();
              if (end.type === 'diverged' && template !== undefined)
                yield* restartWith(template, plan.prefill + end.continuation, 'continuation_diverged');
              joiner = undefined;
            } else {
              template = event;
              let step = joiner.push(text);
              if (step.type === 'text' && step.text === '') {
                if (!sawTerminal) continue; // still matching the start
                step = joiner.finish();
              }
              joiner = undefined;
              if (step.type === 'diverged') {
                yield* restartWith(event, plan.prefill + step.continuation, 'continuation_diverged');
                continue;
              }
              shown += step.text;
              yield dialect.withText(event, step.text);
              continue;
            }
          }
          if (restartNext) {
            event = dialect.markRestart(event, restartNext);
            restartNext = undefined;
          }
          if (text !== undefined) shown += text;
          yield event;
        }
        if (!sawTerminal) throw new NativeStreamBreak('server', 'the stream ended without its end event');
        return;
      } catch (caught) {
        const breakOf = caught instanceof NativeStreamBreak ? caught : setup.toBreak(caught);
        if (!breakOf || setup.mode === 'fail') throw caught;
        void current.events.return?.(undefined)?.catch?.(() => undefined);
        context.emit(
          'stream.interrupted',
          {
            provider: target.provider,
            keyId: current.keyId,
            chars: shown.length,
            category: breakOf.category,
            message: context.scrub(breakOf.message),
          },
          model,
        );
        if (continuations >= max) throw caught;
        continuations++;
        broken.push(current.keyId);
        const from = current.keyId;
        const opened = await reopenFor(shown, structuredShown).catch(() => undefined);
        if (!opened) throw caught;
        current = opened.stream;
        const record: ContinuationRecord = {
          at: shown.length,
          from: { ...target, keyId: from },
          to: { ...target, keyId: current.keyId },
          how: opened.prefill !== undefined ? 'prefill' : 'restart',
          reason: breakOf.category,
          ...(opened.rejected ? { prefillRejected: true } : {}),
        };
        context.emit(
          'stream.continued',
          {
            provider: target.provider,
            record,
            chars: shown.length,
            how: record.how,
            fromKeyId: context.scrub(from),
            toKeyId: context.scrub(current.keyId),
          },
          model,
        );
        joiner = undefined;
        plan = undefined;
        if (opened.plan) {
          plan = opened.plan;
          joiner = new OverlapJoiner(opened.plan);
        } else if (shown !== '' || structuredShown) {
          restartNext = { reason: breakOf.category, discardedText: shown };
          announceRestart(breakOf.category, shown.length);
          shown = '';
          structuredShown = false;
        }
      }
    }
  }

  function announceRestart(reason: NativeStreamRestart['reason'], discardedChars: number): void {
    context.emit('stream.restarted', { provider: target.provider, reason, discardedChars }, model);
  }

  function* restartWith(event: TEvent, text: string, reason: 'continuation_diverged'): Generator<TEvent> {
    announceRestart(reason, shown.length);
    const marked = dialect.markRestart(dialect.withText(event, text), { reason, discardedText: shown });
    shown = text;
    yield marked;
  }

  /** Opens the continuation: by prefill, or asked again (a replay), or a plain restart. */
  async function reopenFor(
    text: string,
    structured: boolean,
  ): Promise<{
    stream: OpenedNativeStream<TEvent>;
    plan?: PrefillPlan;
    prefill?: string;
    rejected?: boolean;
  }> {
    const avoidKeyIds = [...broken];
    if (setup.mode === 'restart' || structured || text === '')
      return { stream: await setup.reopen({ prefill: undefined, avoidKeyIds }) };
    const method = setup.hasTools ? 'restart' : context.capabilities.methodFor(target);
    const prefillPlan = method === 'prefill' ? planPrefill(text, overlap) : undefined;
    if (prefillPlan && prefillPlan.prefill !== '') {
      try {
        const stream = await setup.reopen({ prefill: prefillPlan.prefill, avoidKeyIds });
        return { stream, plan: prefillPlan, prefill: prefillPlan.prefill };
      } catch (error) {
        if (!isPrefillRejection(error)) throw error;
        // Our prefill caused this 400: never the consumer's error. Ask again, and remember the model.
        context.capabilities.learnRestart(target);
        context.emit(
          'stream.prefill_rejected',
          { provider: target.provider, message: context.scrub((error as Error).message) },
          model,
        );
        const stream = await setup.reopen({ prefill: undefined, avoidKeyIds });
        return { stream, plan: replayPlan(text), rejected: true };
      }
    }
    return { stream: await setup.reopen({ prefill: undefined, avoidKeyIds }), plan: replayPlan(text) };
  }
}
