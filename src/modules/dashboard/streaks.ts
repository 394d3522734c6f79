const DAY_MS = 86_400_000;

/** The UTC calendar day of an instant, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export interface Streaks {
  current: number;
  longest: number;
}

/**
 * Runs of consecutive UTC days with activity. The current streak is the run ending today, or
 * yesterday: a learner who has not studied yet today has not broken their streak.
 */
export function streaksOf(days: string[], today: string): Streaks {
  const numbers = [...new Set(days.map(dayNumber))].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < numbers.length; i++) {
    run = i > 0 && numbers[i] === numbers[i - 1] + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  const last = numbers[numbers.length - 1];
  const current = last !== undefined && dayNumber(today) - last <= 1 ? run : 0;
  return { current, longest };
}
