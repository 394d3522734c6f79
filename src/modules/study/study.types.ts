import { Field, Float, Int, ObjectType } from "type-graphql";
import { Card } from "./card.model";
import { Deck } from "./deck.model";
import { ReviewState } from "./review.model";

@ObjectType({ description: "When the card would next be due for each rating, were you to give it now." })
export class SchedulingPreview {
  @Field({ description: "Due date after AGAIN." })
  again!: Date;

  @Field({ description: "Due date after HARD." })
  hard!: Date;

  @Field({ description: "Due date after GOOD." })
  good!: Date;

  @Field({ description: "Due date after EASY." })
  easy!: Date;
}

@ObjectType({ description: "One card to review now: what to show, your schedule for it, and where each answer would take it." })
export class ReviewItem {
  @Field(() => Card, { description: "The card." })
  card!: Card;

  @Field(() => Int, { name: "clozeNumber", description: "The cloze number to review; 0 for a BASIC card." })
  clozeNumber!: number;

  @Field({ description: "What to show first: the front, or the cloze text with this number's deletions hidden." })
  prompt!: string;

  @Field({ description: "What to show after: the back, or the whole cloze text." })
  answer!: string;

  @Field({ name: "isNew", description: "Whether you have never reviewed it." })
  isNew!: boolean;

  @Field(() => ReviewState, { description: "Your schedule for it (state NEW before the first review)." })
  state!: ReviewState;

  @Field(() => Float, { name: "overdueDays", description: "Days since it fell due (0 for new cards)." })
  overdueDays!: number;

  @Field(() => SchedulingPreview, { name: "schedulingPreview", description: "The due date each rating would give now." })
  schedulingPreview!: SchedulingPreview;
}

@ObjectType({ description: "Cards to review now, most overdue first, with new cards mixed in up to your daily limit." })
export class ReviewQueue {
  @Field(() => [ReviewItem], { description: "The cards, in the order to review them." })
  items!: ReviewItem[];

  @Field(() => Int, { name: "dueCount", description: "Cards due now in this scope (learning, review and relearning), however many `items` holds." })
  dueCount!: number;

  @Field(() => Int, { name: "newLeftToday", description: "New cards you may still start today under your daily limit." })
  newLeftToday!: number;
}

@ObjectType({ description: "What a review did." })
export class ReviewResult {
  @Field(() => ReviewState, { description: "Your schedule for the card after the review." })
  state!: ReviewState;

  @Field({ description: "Whether this was a repeat of a review already applied (same idempotency key): nothing changed." })
  duplicate!: boolean;
}

@ObjectType({ description: "Cards falling due on one UTC day." })
export class ForecastDay {
  @Field({ description: "The day, YYYY-MM-DD (UTC)." })
  date!: string;

  @Field(() => Int, { description: "Cards due that day (today: due by its end, overdue ones included)." })
  due!: number;
}

@ObjectType({ description: "Your study numbers." })
export class StudyStats {
  @Field(() => Int, { name: "dueNow", description: "Cards due now (new cards not counted)." })
  dueNow!: number;

  @Field(() => Int, { name: "newCards", description: "Cards you have not started yet, among those your queue has met." })
  newCards!: number;

  @Field(() => [ForecastDay], { description: "Cards due on each of the next 7 UTC days, today first." })
  forecast!: ForecastDay[];

  @Field(() => Int, { name: "reviewsLast30Days", description: "Reviews in the last 30 days." })
  reviewsLast30Days!: number;

  @Field(() => Float, {
    name: "trueRetention",
    nullable: true,
    description: "Share of reviews of cards in review state (not learning) in the last 30 days that were not AGAIN; null without any.",
  })
  trueRetention!: number | null;

  @Field(() => Int, { name: "currentStreak", description: "UTC days in a row, up to today or yesterday, with at least one review." })
  currentStreak!: number;

  @Field(() => Int, { name: "longestStreak", description: "The longest run of UTC days in a row with at least one review." })
  longestStreak!: number;
}

@ObjectType({ description: "A generated card that was dropped, and why." })
export class DroppedCard {
  @Field({ description: "The card's front or cloze text as the AI wrote it." })
  front!: string;

  @Field(() => [String], { description: "Why it was dropped (empty side, no cloze, duplicate, not supported by its passage …)." })
  problems!: string[];
}

@ObjectType({ description: "How generated cards were checked." })
export class FlashcardReport {
  @Field(() => Int, { description: "How many cards were asked for." })
  requested!: number;

  @Field(() => Int, { description: "How many passed the checks and were stored." })
  kept!: number;

  @Field(() => [DroppedCard], { description: "Cards that failed a check." })
  dropped!: DroppedCard[];

  @Field({ description: "The AI provider that wrote them." })
  provider!: string;
}

@ObjectType({ description: "Cards generated into a deck." })
export class FlashcardGeneration {
  @Field(() => Deck, { description: "The deck they were added to." })
  deck!: Deck;

  @Field(() => [Card], { description: "The stored cards, each citing its passage." })
  cards!: Card[];

  @Field(() => FlashcardReport, { description: "What was asked, kept and dropped." })
  report!: FlashcardReport;
}

@ObjectType({ description: "A CSV row that was not imported." })
export class ImportRowError {
  @Field(() => Int, { description: "The row's line number in the file, from 1." })
  row!: number;

  @Field({ description: "What is wrong with it." })
  message!: string;
}

@ObjectType({ description: "What an import stored." })
export class ImportResult {
  @Field(() => Int, { description: "Cards added." })
  imported!: number;

  @Field(() => [ImportRowError], { description: "Rows skipped, each with its reason." })
  errors!: ImportRowError[];
}
