import type { Document } from "bson";
import type { CommandContext } from "./context";

/** A command's collation, or else the collection's default one (`create` with `collation`), as in mongod. */
export function effectiveCollation(ctx: CommandContext, name: string | undefined, given: Document | undefined): Document | undefined {
  if (given !== undefined || name === undefined) return given;
  const options = ctx.engine.collection(ctx.db, name)?.options;
  return options?.collation as Document | undefined;
}
