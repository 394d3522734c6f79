import type { Document } from "bson";
import type { Collection } from "../storage/collection";
import { PAUSE, runPlan, type ExecStats } from "./execute";
import { givesSort, type Plan } from "./plan";

/** Work (keys + documents) each candidate gets in the trial, as mongod's multi-planner does on a smaller scale. */
const TRIAL_WORK = 100;

export interface Choice {
  winner: Plan;
  rejected: Plan[];
}

/**
 * Picks among candidate plans by running each for a little while: a plan that finishes wins
 * (the least work first), else the one that found the most matches per unit of work, with a
 * bonus for giving the sort (no blocking sort, and a limit stops it early).
 */
export function choosePlan(coll: Collection, plans: Plan[], match: (doc: Document) => boolean, wantsSort: boolean, needed: number): Choice {
  if (plans.length === 1) return { winner: plans[0], rejected: [] };
  let best = -Infinity;
  let winner = plans[0];
  for (const plan of plans) {
    const stats: ExecStats = { keysExamined: 0, docsExamined: 0, workLimit: TRIAL_WORK };
    const run = runPlan(coll, plan, plan.kind === "IXSCAN" && plan.exact ? undefined : match, stats);
    const givesOrder = !wantsSort || givesSort(plan);
    let found = 0;
    let finished = false;
    for (;;) {
      const step = run.next();
      if (step.done) {
        finished = !stats.cutOff;
        break;
      }
      // A trial never pauses (no pauseEvery), but the type allows it.
      if (step.value === PAUSE) continue;
      found++;
      if (needed > 0 && found >= needed && givesOrder) {
        finished = true;
        break;
      }
    }
    run.return(undefined);
    const work = Math.max(1, stats.keysExamined + stats.docsExamined);
    const score = (finished ? 2 + 1 / work : 0) + found / work + (wantsSort && givesOrder ? 0.5 : 0);
    if (score > best) {
      best = score;
      winner = plan;
    }
  }
  return { winner, rejected: plans.filter((plan) => plan !== winner) };
}
