import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";
import { StudyPreferences } from "./preferences.model";
import { GenerateFlashcardsInput, ImportCardsArgs, ReviewCardArgs, ReviewQueueArgs, StudyPreferencesInput, StudyScopeArgs } from "./study.inputs";
import { FlashcardGeneration, ImportResult, ReviewQueue, ReviewResult, StudyStats } from "./study.types";

@Resolver()
export class ReviewResolver {
  @Authorized()
  @Query(() => ReviewQueue, {
    description:
      "Cards to review now, most overdue first, with new cards mixed in up to your daily limit: from one deck, one course's decks, or (neither given) your own decks, the personal decks shared with you or a class of yours, the decks of courses you are enrolled in and any deck you have studied.",
  })
  async reviewQueue(@Args() { deckId, courseId, limit }: ReviewQueueArgs, @Ctx() ctx: Context): Promise<ReviewQueue> {
    return ctx.services.reviews.queue(await signedInActor(ctx), { deckId, courseId }, limit);
  }

  @Authorized()
  @Mutation(() => ReviewResult, {
    description:
      "Records how well you recalled a card (the server's clock) and schedules it with FSRS. With an `idempotencyKey`, sending the same review again changes nothing; with `expectedVersion`, a review of a schedule that moved on is CONFLICT.",
  })
  async reviewCard(@Args() args: ReviewCardArgs, @Ctx() ctx: Context): Promise<ReviewResult> {
    return ctx.services.reviews.review(await signedInActor(ctx), args);
  }

  @Authorized()
  @Query(() => StudyStats, { description: "Due now, a 7-day forecast, reviews and true retention over 30 days, and your study streak; scoped like `reviewQueue`." })
  async studyStats(@Args() { deckId, courseId }: StudyScopeArgs, @Ctx() ctx: Context): Promise<StudyStats> {
    return ctx.services.reviews.stats(await signedInActor(ctx), { deckId, courseId });
  }

  @Authorized()
  @Query(() => StudyPreferences, { description: "Your desired retention, daily new-card limit and Mistakes deck switch." })
  async studyPreferences(@Ctx() ctx: Context): Promise<StudyPreferences> {
    return ctx.services.reviews.profile((await signedInActor(ctx))._id);
  }

  @Authorized()
  @Mutation(() => StudyPreferences, { description: "Changes your study preferences." })
  async updateStudyPreferences(
    @Arg("input", () => StudyPreferencesInput, { description: "The preferences to change." }) input: StudyPreferencesInput,
    @Ctx() ctx: Context,
  ): Promise<StudyPreferences> {
    return ctx.services.reviews.updatePreferences((await signedInActor(ctx))._id, input);
  }

  @Authorized()
  @Mutation(() => FlashcardGeneration, {
    description:
      "Writes flashcards with the AI provider from a chapter, course or upload into a deck you may edit (or a new deck of yours). Every card cites its passage and is checked before it is stored; `report` lists what was dropped and why. Counts against the AI quota.",
  })
  async generateFlashcards(
    @Arg("input", () => GenerateFlashcardsInput, { description: "What to write the cards from, how many, and where." }) input: GenerateFlashcardsInput,
    @Ctx() ctx: Context,
  ): Promise<FlashcardGeneration> {
    return ctx.services.flashcards.generate(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => ImportResult, {
    description: "Adds cards from a CSV file (front,back[,tags]) to a deck you may edit. Bad rows are listed and skipped; a file that cannot be read as a whole stores nothing.",
  })
  async importCards(@Args() { deckId, file }: ImportCardsArgs, @Ctx() ctx: Context): Promise<ImportResult> {
    return ctx.services.deckImport.importCsv(await signedInActor(ctx), deckId, file);
  }
}
