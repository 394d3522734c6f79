import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from "class-validator";
import { GraphQLUpload, type FileUpload } from "graphql-upload-minimal";
import { ArgsType, Field, Float, InputType, Int } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { NOT_BLANK } from "../../lib/validation";
import { CardKind } from "./card.model";
import { CARD_EXPLANATION_MAX_LENGTH, CARD_SIDE_MAX_LENGTH, CARD_TAG_MAX_LENGTH, DECK_DESCRIPTION_MAX_LENGTH, DECK_TITLE_MAX_LENGTH, MAX_CARD_TAGS } from "./deck.model";
import { DAILY_NEW_MAX, RETENTION_MAX, RETENTION_MIN } from "./preferences.model";
import { ReviewRating } from "./review.model";

export const MAX_GENERATED_CARDS = 30;
export const MAX_QUEUE_LIMIT = 100;
/** Days `studyStats.forecast` covers, today first. */
export const FORECAST_DAYS = 7;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 100;

@InputType({ description: "A new deck: yours, or a course's when `courseId` is given (its editors only)." })
export class CreateDeckInput {
  @Field({ description: `Title (1 to ${DECK_TITLE_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, DECK_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title!: string;

  @Field({ description: `What it is about (up to ${DECK_DESCRIPTION_MAX_LENGTH} characters).`, defaultValue: "" })
  @IsString()
  @MaxLength(DECK_DESCRIPTION_MAX_LENGTH)
  description: string = "";

  @Field(() => IdScalar, { nullable: true, description: "Make it a course deck of this course (which you may edit)." })
  courseId?: string;
}

@InputType({ description: "Changes to a deck; fields left out stay as they are." })
export class UpdateDeckInput {
  @Field(() => String, { nullable: true, description: `New title (1 to ${DECK_TITLE_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateDeckInput) => input.title !== undefined)
  @IsString()
  @Length(1, DECK_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string;

  @Field(() => String, { nullable: true, description: `New description (up to ${DECK_DESCRIPTION_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateDeckInput) => input.description !== undefined)
  @IsString()
  @MaxLength(DECK_DESCRIPTION_MAX_LENGTH)
  description?: string;
}

@ArgsType()
export class DeckIdArgs {
  @Field(() => IdScalar, { description: "The deck's id." })
  id!: string;
}

@ArgsType()
export class UpdateDeckArgs extends DeckIdArgs {
  @ValidateNested()
  @Field(() => UpdateDeckInput, { description: "The fields to change." })
  input!: UpdateDeckInput;
}

@ArgsType()
export class DecksArgs extends PageArgs {
  @Field(() => IdScalar, { nullable: true, description: "A course's decks (a course you may read); your own decks when left out." })
  courseId?: string;
}

@ArgsType()
export class CardsArgs extends PageArgs {
  @Field(() => IdScalar, { description: "The deck (one you may read)." })
  deckId!: string;
}

@ArgsType()
export class CardIdArgs {
  @Field(() => IdScalar, { description: "The card's id." })
  id!: string;
}

@InputType({ description: "A card's content." })
export class CardContentInput {
  @Field(() => CardKind, { nullable: true, description: "BASIC or CLOZE; BASIC when left out on a new card." })
  kind?: CardKind;

  @Field(() => String, { nullable: true, description: `BASIC: the question. CLOZE: the text with {{c1::…}} deletions. 1 to ${CARD_SIDE_MAX_LENGTH} characters.` })
  @ValidateIf((input: CardContentInput) => input.front !== undefined)
  @IsString()
  @Length(1, CARD_SIDE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "front must not be blank" })
  front?: string;

  @Field(() => String, { nullable: true, description: `BASIC: the answer (required, 1 to ${CARD_SIDE_MAX_LENGTH} characters). CLOZE: extra text shown with the answer.` })
  @ValidateIf((input: CardContentInput) => input.back !== undefined)
  @IsString()
  @MaxLength(CARD_SIDE_MAX_LENGTH)
  back?: string;

  @Field(() => String, { nullable: true, description: `Why the answer is right (up to ${CARD_EXPLANATION_MAX_LENGTH} characters).` })
  @ValidateIf((input: CardContentInput) => input.explanation !== undefined)
  @IsString()
  @MaxLength(CARD_EXPLANATION_MAX_LENGTH)
  explanation?: string;

  @Field(() => [String], { nullable: true, description: `Up to ${MAX_CARD_TAGS} tags of 1 to ${CARD_TAG_MAX_LENGTH} characters.` })
  @ValidateIf((input: CardContentInput) => input.tags !== undefined)
  @ArrayMaxSize(MAX_CARD_TAGS)
  @IsString({ each: true })
  @Length(1, CARD_TAG_MAX_LENGTH, { each: true })
  tags?: string[];
}

@InputType({ description: "A new card in a deck you may edit." })
export class CreateCardInput extends CardContentInput {
  @Field(() => IdScalar, { description: "The deck." })
  deckId!: string;
}

@ArgsType()
export class UpdateCardArgs extends CardIdArgs {
  @ValidateNested()
  @Field(() => CardContentInput, { description: "The fields to change; the card keeps every learner's schedule." })
  input!: CardContentInput;
}

@ArgsType()
export class ReviewCardArgs {
  @Field(() => IdScalar, { description: "The card reviewed (in a deck you may read)." })
  cardId!: string;

  @Field(() => Int, { nullable: true, description: "The cloze number reviewed, for a CLOZE card; its first when left out. 0 (or nothing) for BASIC." })
  @IsOptional()
  @IsInt()
  @Min(0)
  clozeNumber?: number;

  @Field(() => ReviewRating, { description: "How well you recalled it." })
  rating!: ReviewRating;

  @Field(() => String, {
    nullable: true,
    description: `Any unique string per review (up to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters): sending the same review again returns the first result and changes nothing.`,
  })
  @IsOptional()
  @IsString()
  @Length(1, IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotencyKey?: string;

  @Field(() => Int, { nullable: true, description: "The `version` of the schedule you were shown; if it has moved on since, the review is refused (CONFLICT)." })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

@ArgsType()
export class ReviewQueueArgs {
  @Field(() => IdScalar, { nullable: true, description: "Only this deck." })
  deckId?: string;

  @Field(() => IdScalar, { nullable: true, description: "Only this course's decks." })
  courseId?: string;

  @Field(() => Int, { description: `How many cards (1 to ${MAX_QUEUE_LIMIT}).`, defaultValue: 20 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUEUE_LIMIT)
  limit: number = 20;
}

@ArgsType()
export class StudyScopeArgs {
  @Field(() => IdScalar, { nullable: true, description: "Only this deck." })
  deckId?: string;

  @Field(() => IdScalar, { nullable: true, description: "Only this course's decks." })
  courseId?: string;
}

@InputType({ description: "What to write cards from (exactly one source), how many, and where to put them." })
export class GenerateFlashcardsInput {
  @Field(() => IdScalar, { nullable: true, description: "A chapter you may read." })
  chapterId?: string;

  @Field(() => IdScalar, { nullable: true, description: "A course you may read: all its chapters." })
  courseId?: string;

  @Field(() => IdScalar, { nullable: true, description: "An upload of yours that has finished ingestion." })
  uploadId?: string;

  @Field(() => IdScalar, { nullable: true, description: "The deck to add to (one you may edit); a new personal deck named after the source when left out." })
  deckId?: string;

  @Field(() => Int, { description: `How many cards (1 to ${MAX_GENERATED_CARDS}).` })
  @IsInt()
  @Min(1)
  @Max(MAX_GENERATED_CARDS)
  count!: number;

  @Field(() => [CardKind], { nullable: true, description: "Card kinds to mix; both when left out." })
  @IsOptional()
  @ArrayMinSize(1)
  @IsIn(Object.values(CardKind), { each: true })
  kinds?: CardKind[];
}

@ArgsType()
export class ImportCardsArgs {
  @Field(() => IdScalar, { description: "The deck to add the cards to (one you may edit)." })
  deckId!: string;

  @Field(() => GraphQLUpload, { description: "A UTF-8 CSV file: front,back[,tags] per row (tags separated by spaces); a header row is skipped." })
  file!: Promise<FileUpload>;
}

@InputType({ description: "Changes to your study preferences; fields left out stay as they are." })
export class StudyPreferencesInput {
  @Field(() => Float, { nullable: true, description: `Desired retention, ${RETENTION_MIN} to ${RETENTION_MAX}.` })
  @IsOptional()
  @IsNumber()
  @Min(RETENTION_MIN)
  @Max(RETENTION_MAX)
  desiredRetention?: number;

  @Field(() => Int, { nullable: true, description: `New cards per day, 0 to ${DAILY_NEW_MAX}.` })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DAILY_NEW_MAX)
  dailyNewLimit?: number;

  @Field(() => Boolean, { nullable: true, description: "Whether wrong quiz answers become cards in your Mistakes deck." })
  @IsOptional()
  mistakesDeck?: boolean;
}
