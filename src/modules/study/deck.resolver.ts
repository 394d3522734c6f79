import { Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Arg } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";
import type { Page } from "../../lib/pagination";
import { courseLoader } from "../courses/course.loaders";
import { Deck, DeckPage } from "./deck.model";
import { DeckPolicy } from "./study.policy";
import { CreateDeckInput, DeckIdArgs, DecksArgs, UpdateDeckArgs } from "./study.inputs";

@Resolver(() => Deck)
export class DeckResolver {
  @Authorized()
  @Query(() => DeckPage, { description: "Decks newest first: a course's decks (a course you may read), or your own personal and Mistakes decks." })
  async decks(@Args() { courseId, skip, limit }: DecksArgs, @Ctx() ctx: Context): Promise<Page<Deck>> {
    return ctx.services.decks.list(await signedInActor(ctx), courseId, { skip, limit });
  }

  @Authorized()
  @Query(() => Deck, { nullable: true, description: "One deck, or null when there is none you may read with this id." })
  async deck(@Args() { id }: DeckIdArgs, @Ctx() ctx: Context): Promise<Deck | null> {
    return (await ctx.services.decks.readable(await signedInActor(ctx), id))?.deck ?? null;
  }

  @Authorized()
  @Mutation(() => Deck, { description: "Creates a deck: yours, or a course's (its owner or an admin only) with `courseId`." })
  async createDeck(@Arg("input", () => CreateDeckInput, { description: "The new deck." }) input: CreateDeckInput, @Ctx() ctx: Context): Promise<Deck> {
    return ctx.services.decks.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Deck, { description: "Renames or describes a deck you may edit." })
  async updateDeck(@Args() { id, input }: UpdateDeckArgs, @Ctx() ctx: Context): Promise<Deck> {
    return ctx.services.decks.update(await signedInActor(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes a deck you may edit, its cards and every learner's schedules and review logs for them." })
  async deleteDeck(@Args() { id }: DeckIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.decks.delete(await signedInActor(ctx), id);
  }

  @FieldResolver(() => Boolean, { name: "canEdit", description: "Whether you may change the deck and its cards (its owner; a course deck's course editors; admins)." })
  async canEdit(@Root() deck: Deck, @Ctx() ctx: Context): Promise<boolean> {
    const course = deck.course_id ? await courseLoader(ctx).load(deck.course_id) : null;
    return DeckPolicy.canEdit(await signedInActor(ctx), deck, course);
  }
}
