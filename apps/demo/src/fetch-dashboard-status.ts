import type { StatusDocument } from '@keypool/dashboard';
import { CliError } from './cli-error';
import { ExitCode } from './exit-codes';

/** The `/status` URL of a dashboard given by its page URL, its base, or its `/status` URL itself. */
export function statusUrlOf(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw CliError.usage(`--url ${url} is not a URL (e.g. http://127.0.0.1:8787/)`, 'bad_option');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw CliError.usage(`--url must be an http or https URL, got ${parsed.protocol}`, 'bad_option');
  if (!parsed.pathname.endsWith('/status'))
    parsed.pathname = `${parsed.pathname.replace(/\/(index\.html)?$/, '')}/status`;
  return parsed;
}

/** Reads a dashboard's `/status` (with a token when one is given): exit 1 when unreachable, 2 on a 401. */
export async function fetchDashboardStatus(
  url: URL,
  token: string | undefined,
  timeoutMs = 10_000,
): Promise<StatusDocument> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CliError(`cannot reach the dashboard at ${url.origin}: ${(error as Error).message}`, {
      exitCode: ExitCode.failed,
      code: 'dashboard_unreachable',
    });
  }
  if (response.status === 401)
    throw CliError.usage(
      'the dashboard wants a token: pass --token or set KEYPOOL_DASHBOARD_TOKEN',
      'dashboard_token',
    );
  if (!response.ok)
    throw new CliError(`the dashboard answered ${response.status} for ${url.pathname}`, {
      exitCode: ExitCode.failed,
      code: 'dashboard_error',
    });
  const document = (await response.json().catch(() => undefined)) as StatusDocument | undefined;
  if (!document || !Array.isArray(document.pools))
    throw new CliError(`${url} did not answer a keypool status document`, {
      exitCode: ExitCode.failed,
      code: 'dashboard_error',
    });
  return document;
}
