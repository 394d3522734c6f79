import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";
import type { Page } from "../../lib/pagination";
import { Card, CardPage } from "./card.model";
import { ReviewState } from "./review.model";
import { reviewStatesLoader } from "./study.loaders";
import { CardIdArgs, CardsArgs, CreateCardInput, UpdateCardArgs } from "./study.inputs";

@Resolver(() => Card)
export class CardResolver {
  @Authorized()
  @Query(() => CardPage, { description: "A deck's cards in the order they were added (a deck you may read)." })
  async cards(@Args() { deckId, skip, limit }: CardsArgs, @Ctx() ctx: Context): Promise<Page<Card>> {
    return ctx.services.decks.cards(await signedInActor(ctx), deckId, { skip, limit });
  }

  @Authorized()
  @Query(() => Card, { nullable: true, description: "One card, or null when there is none you may read with this id." })
  async card(@Args() { id }: CardIdArgs, @Ctx() ctx: Context): Promise<Card | null> {
    return (await ctx.services.decks.readableCard(await signedInActor(ctx), id)) ?? null;
  }

  @Authorized()
  @Mutation(() => Card, { description: "Adds a card to a deck you may edit. A CLOZE card needs at least one {{c1::…}} deletion, a BASIC card a back." })
  async createCard(@Arg("input", () => CreateCardInput, { description: "The new card." }) input: CreateCardInput, @Ctx() ctx: Context): Promise<Card> {
    return ctx.services.decks.createCard(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Card, { description: "Changes a card's content; every learner keeps their schedule for it." })
  async updateCard(@Args() { id, input }: UpdateCardArgs, @Ctx() ctx: Context): Promise<Card> {
    return ctx.services.decks.updateCard(await signedInActor(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes a card with every learner's schedules and review logs for it." })
  async deleteCard(@Args() { id }: CardIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.decks.deleteCard(await signedInActor(ctx), id);
  }

  @FieldResolver(() => [ReviewState], { name: "myReviews", description: "Your schedules for this card (one per cloze number); empty until your queue meets it." })
  async myReviews(@Root() card: Card, @Ctx() ctx: Context): Promise<ReviewState[]> {
    return reviewStatesLoader(ctx, (await signedInActor(ctx))._id).load(card._id);
  }
}
