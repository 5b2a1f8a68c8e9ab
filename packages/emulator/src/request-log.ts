import { fingerprintSecret, maskSecret } from '@keypool/core';
import type { ProviderName } from './provider-dialect.ts';

/** What happened to a request, as recorded in the log. */
export type RequestOutcome =
  | 'ok'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'invalid_key'
  | 'leaked_key'
  | 'overloaded'
  | 'server_error'
  | 'reset'
  | 'no_response'
  | 'hang_up'
  | 'context_length'
  | 'content_filter'
  | 'not_found'
  | 'stream_cut'
  | 'stream_stall'
  | 'malformed_chunk'
  | 'no_terminator'
  | 'mid_stream_error'
  | 'bad_request'
  | 'client_closed';

/** One request as the emulator saw it. The raw key is kept only when the emulator runs with `logRawKeys`. */
export interface RequestLogEntry {
  /** 1-based sequence number since start (not reset by `reset()`, so entries stay distinguishable). */
  seq: number;
  /** When the request arrived, in ms since the epoch. */
  time: number;
  provider: ProviderName;
  /** Request path without the query string (so a `?key=` never reaches the log). */
  path: string;
  /** Model name ('' if the request named none). */
  model: string;
  stream: boolean;
  /** `maskSecret(key)` from @keypool/core, or null when no key was sent. */
  keyMasked: string | null;
  /** `fingerprintSecret(key)` from @keypool/core, or null when no key was sent. */
  keyFingerprint: string | null;
  /** The raw key, only with `logRawKeys: true`. */
  key?: string;
  /** HTTP status sent, or 0 when the socket was reset or no answer was sent. */
  status: number;
  outcome: RequestOutcome;
  promptTokens: number;
  completionTokens: number;
  /** The assistant prefill the request asked the model to continue, if any. */
  prefill?: string;
}

interface KeyNames {
  masked: string;
  fingerprint: string;
}

/** The emulator's request log: a bounded array of entries plus a cache of key masks and fingerprints. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private seq = 0;
  private readonly names = new Map<string, KeyNames>();
  private readonly logRawKeys: boolean;
  private readonly maxEntries: number;

  constructor(logRawKeys: boolean, maxEntries: number) {
    this.logRawKeys = logRawKeys;
    this.maxEntries = maxEntries;
  }

  /** The masked form and fingerprint of a key, computed once per distinct key. */
  namesOf(key: string): KeyNames {
    let names = this.names.get(key);
    if (names === undefined) {
      names = { masked: maskSecret(key), fingerprint: fingerprintSecret(key) };
      if (this.names.size > 10_000) this.names.clear();
      this.names.set(key, names);
    }
    return names;
  }

  /** Opens an entry for a request that has just arrived; the caller fills in status and outcome as it goes. */
  open(fields: {
    provider: ProviderName;
    path: string;
    model: string;
    stream: boolean;
    key: string | undefined;
  }): RequestLogEntry {
    const names = fields.key === undefined ? undefined : this.namesOf(fields.key);
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      time: Date.now(),
      provider: fields.provider,
      path: fields.path,
      model: fields.model,
      stream: fields.stream,
      keyMasked: names?.masked ?? null,
      keyFingerprint: names?.fingerprint ?? null,
      status: 0,
      outcome: 'no_response',
      promptTokens: 0,
      completionTokens: 0,
    };
    if (this.logRawKeys && fields.key !== undefined) entry.key = fields.key;
    if (this.maxEntries > 0) {
      this.entries.push(entry);
      if (this.entries.length > this.maxEntries + Math.ceil(this.maxEntries / 10)) {
        this.entries.splice(0, this.entries.length - this.maxEntries);
      }
    }
    return entry;
  }

  /** Entries for one key, matched by fingerprint (works whether or not raw keys are logged). */
  entriesFor(key: string): RequestLogEntry[] {
    const fingerprint = this.namesOf(key).fingerprint;
    return this.entries.filter((entry) => entry.keyFingerprint === fingerprint);
  }

  /** Drops every entry (sequence numbers keep counting). */
  clear(): void {
    this.entries.length = 0;
  }
}
