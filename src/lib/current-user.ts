import { createParameterDecorator } from "type-graphql";
import type { Context } from "./context";
import { signedInActor, signedInViewer } from "./identity";

/** The signed-in viewer (user and session); use with `@Authorized()` on the field. */
export function CurrentViewer() {
  return createParameterDecorator<Context>(({ context }) => signedInViewer(context));
}

/** The signed-in user; use with `@Authorized()` on the field. */
export function CurrentUser() {
  return createParameterDecorator<Context>(({ context }) => signedInActor(context));
}
