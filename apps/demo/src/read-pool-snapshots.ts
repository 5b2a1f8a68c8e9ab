import type { KeySnapshot } from '@keypool/core';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { fetchDashboardStatus, statusUrlOf } from './fetch-dashboard-status';
import { readSavedDocument } from './state-file-pools';

/** Where the pools' state comes from: a running app's dashboard, or a saved file. */
export interface PoolSourceOptions {
  url?: string;
  token?: string;
  state?: string;
}

/** Pools' key snapshots as of `now`, and where they came from. */
export interface PoolSnapshots {
  source: 'url' | 'state';
  /** The dashboard's `/status` URL or the file's path. */
  from: string;
  now: number;
  pools: { provider: string; keys: KeySnapshot[] }[];
}

/**
 * Reads every pool's key snapshots from `--url <dashboard>` (its `/status`, with `--token` or
 * `KEYPOOL_DASHBOARD_TOKEN`) or `--state <file>` (a state file or a `pool.toJSON()` document). Exit 2 when neither
 * or both are given.
 */
export async function readPoolSnapshots(io: CliIo, options: PoolSourceOptions): Promise<PoolSnapshots> {
  if (options.url && options.state)
    throw CliError.usage('give either --url or --state, not both', 'bad_option');
  if (options.url) {
    const url = statusUrlOf(options.url);
    const token = options.token ?? io.env.KEYPOOL_DASHBOARD_TOKEN;
    if (token) io.redactor.add(token);
    const document = await fetchDashboardStatus(url, token);
    return {
      source: 'url',
      from: url.href,
      now: document.now,
      pools: document.pools.map((pool) => ({ provider: pool.provider, keys: pool.keys })),
    };
  }
  if (options.state) {
    const now = Date.now();
    return { source: 'state', from: options.state, now, pools: readSavedDocument(options.state, now).pools };
  }
  throw CliError.usage(
    'say where the statistics come from: --state <file> (simulate/chat --save-state, pool.toJSON()) or --url <dashboard>',
    'missing_source',
  );
}
