const DAY_MS = 86_400_000;
const PACIFIC = 'America/Los_Angeles';
/** Pacific Standard Time, used when the runtime has no time-zone data. */
const PST_OFFSET_MS = -8 * 3_600_000;

let pacificClock: Intl.DateTimeFormat | null | undefined;

function pacificFormatter(): Intl.DateTimeFormat | null {
  if (pacificClock !== undefined) return pacificClock;
  try {
    pacificClock = new Intl.DateTimeFormat('en-US', {
      timeZone: PACIFIC,
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    pacificClock = null;
  }
  return pacificClock;
}

/**
 * When Gemini's per-day quotas reset: the next midnight in Pacific time (as the rate-limit docs say), as epoch ms.
 * A per-day 429 does not say it; its RetryInfo, when present, is only a short generic backoff.
 */
export function nextGeminiDailyReset(now: number): number {
  const formatter = pacificFormatter();
  let secondsIntoDay: number;
  if (formatter) {
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of formatter.formatToParts(now)) {
      if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
      else if (part.type === 'second') second = Number(part.value);
    }
    secondsIntoDay = hour * 3_600 + minute * 60 + second;
  } else {
    secondsIntoDay = Math.floor(((((now + PST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 1_000);
  }
  const millisecondsIntoDay = secondsIntoDay * 1_000 + (now % 1_000);
  return now + (DAY_MS - millisecondsIntoDay);
}
