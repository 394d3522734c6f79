import { Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { SearchArgs } from "./search.inputs";
import { SearchHit } from "./search.types";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";

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
