import { Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { Context } from "../../context";
import { signedInActor } from "../courses/actor";
import { SearchArgs } from "./search.inputs";
import { SearchHit } from "./search.types";

@Resolver(() => SearchHit)
export class SearchResolver {
  @Authorized()
  @Query(() => [SearchHit], {
    description:
      "Passages closest in meaning to the query, best first: from your own uploads, and from chapters of courses you may read (yours and the public catalog).",
  })
  async search(@Args() args: SearchArgs, @Ctx() ctx: Context): Promise<SearchHit[]> {
    return ctx.services.search.search(await signedInActor(ctx), args);
  }
}
