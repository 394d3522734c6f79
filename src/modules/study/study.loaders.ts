import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** Cards per deck, counted for a whole page of decks at once. */
export function cardCountLoader(ctx: Context) {
  return ctx.loaders.get("deckCardCount", [], (ids: readonly Types.ObjectId[]) => ctx.services.decks.cardCounts(ids));
}

/** One learner's schedules per card. */
export function reviewStatesLoader(ctx: Context, userId: Types.ObjectId) {
  return ctx.loaders.get("reviewStates", [userId], (ids: readonly Types.ObjectId[]) => ctx.services.reviews.statesOf(userId, ids));
}
