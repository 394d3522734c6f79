import { createParameterDecorator } from "type-graphql";
import type { Context } from "../../context";
import { raise } from "../../lib/errors";

/** The signed-in viewer (user and session); use with `@Authorized()` on the field. */
export function CurrentViewer() {
  return createParameterDecorator<Context>(async ({ context }) => {
    return (await context.viewer()) ?? raise("UNAUTHENTICATED", "Sign in first");
  });
}

/** The signed-in user; use with `@Authorized()` on the field. */
export function CurrentUser() {
  return createParameterDecorator<Context>(async ({ context }) => {
    const viewer = (await context.viewer()) ?? raise("UNAUTHENTICATED", "Sign in first");
    return viewer.user;
  });
}
