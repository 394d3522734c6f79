/** A user's totals on a leaderboard, before ranking. */
export interface Standing {
  userId: string;
  points: number;
  quizzesTaken: number;
  attempts: number;
  averagePercent: number;
}

export interface RankedStanding extends Standing {
  rank: number;
}

/**
 * Standard competition ranking ("1224"): equal points share a rank and the next rank skips the
 * tied places. Input must be sorted by points, highest first.
 */
export function competitionRanks(sorted: Standing[]): RankedStanding[] {
  let rank = 0;
  return sorted.map((standing, i) => {
    if (i === 0 || standing.points !== sorted[i - 1].points) rank = i + 1;
    return { ...standing, rank };
  });
}
