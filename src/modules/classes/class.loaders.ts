import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import { actorOf } from "../../lib/identity";
import type { ClassAccess } from "./class.service";

/** What the request's viewer is in each class (null: may not see it), read once per request and class. */
export async function classAccess(ctx: Context, classId: Types.ObjectId | string): Promise<ClassAccess | null> {
  const actor = await actorOf(ctx);
  const loader = ctx.loaders.get("classAccess", [actor?._id ?? "anonymous"], (ids: readonly string[]) =>
    Promise.all(ids.map((id) => ctx.services.classes.access(actor, id))),
  );
  return loader.load(String(classId));
}
