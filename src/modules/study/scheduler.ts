import { createEmptyCard, fsrs, Rating, State, type Card as FsrsCard, type FSRS, type Grade, type ReviewLog as FsrsLog } from "ts-fsrs";
import { CardState, ReviewRating, type ReviewState } from "./review.model";

const STATES: Record<State, CardState> = {
  [State.New]: CardState.NEW,
  [State.Learning]: CardState.LEARNING,
  [State.Review]: CardState.REVIEW,
  [State.Relearning]: CardState.RELEARNING,
};
const FSRS_STATES = Object.fromEntries(Object.entries(STATES).map(([fsrsState, state]) => [state, Number(fsrsState) as State])) as Record<CardState, State>;

export const GRADES: Record<ReviewRating, Grade> = {
  [ReviewRating.AGAIN]: Rating.Again,
  [ReviewRating.HARD]: Rating.Hard,
  [ReviewRating.GOOD]: Rating.Good,
  [ReviewRating.EASY]: Rating.Easy,
};

/** What FSRS schedules, as stored on a review state. */
export type Schedule = Pick<
  ReviewState,
  "state" | "due" | "stability" | "difficulty" | "elapsed_days" | "scheduled_days" | "learning_steps" | "reps" | "lapses" | "last_review"
>;

export interface ScheduledReview {
  next: Schedule;
  /** The review as FSRS logs it (the state before, elapsed days …). */
  log: FsrsLog;
}

/**
 * FSRS-6 with its default parameters (ts-fsrs), one scheduler per desired retention. Fuzz is
 * off so a preview shows exactly the due date the same review will give.
 */
export class Scheduler {
  private readonly byRetention = new Map<number, FSRS>();

  /** A card never reviewed, due now. */
  emptySchedule(now: Date): Schedule {
    return fromFsrs(createEmptyCard(now));
  }

  next(current: Schedule, now: Date, rating: ReviewRating, retention: number): ScheduledReview {
    const { card, log } = this.fsrsFor(retention).next(toFsrs(current), now, GRADES[rating]);
    return { next: fromFsrs(card), log };
  }

  /** The due date each rating would give now, as Anki shows above its buttons. */
  preview(current: Schedule, now: Date, retention: number): Record<ReviewRating, Date> {
    const preview = this.fsrsFor(retention).repeat(toFsrs(current), now);
    return {
      [ReviewRating.AGAIN]: preview[Rating.Again].card.due,
      [ReviewRating.HARD]: preview[Rating.Hard].card.due,
      [ReviewRating.GOOD]: preview[Rating.Good].card.due,
      [ReviewRating.EASY]: preview[Rating.Easy].card.due,
    };
  }

  private fsrsFor(retention: number): FSRS {
    let scheduler = this.byRetention.get(retention);
    if (!scheduler) {
      scheduler = fsrs({ request_retention: retention, enable_fuzz: false });
      this.byRetention.set(retention, scheduler);
    }
    return scheduler;
  }
}

export function stateName(state: State): CardState {
  return STATES[state];
}

function toFsrs(schedule: Schedule): FsrsCard {
  return {
    due: schedule.due,
    stability: schedule.stability,
    difficulty: schedule.difficulty,
    elapsed_days: schedule.elapsed_days,
    scheduled_days: schedule.scheduled_days,
    learning_steps: schedule.learning_steps,
    reps: schedule.reps,
    lapses: schedule.lapses,
    state: FSRS_STATES[schedule.state],
    last_review: schedule.last_review,
  };
}

function fromFsrs(card: FsrsCard): Schedule {
  return {
    state: STATES[card.state],
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsed_days: card.elapsed_days,
    scheduled_days: card.scheduled_days,
    learning_steps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    last_review: card.last_review,
  };
}
