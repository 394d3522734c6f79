import type { AuthChecker } from "type-graphql";
import { raise } from "../../lib/errors";
import type { Context } from "../../lib/context";
import { SIGN_IN_FIRST } from "../../lib/identity";

/**
 * `@Authorized()` needs a valid access token of an active user (else UNAUTHENTICATED);
 * `@Authorized("ADMIN")` also needs one of the roles (else FORBIDDEN). Role names match in any case.
 */
export const authChecker: AuthChecker<Context> = async ({ context }, roles) => {
  const viewer = await context.viewer();
  if (!viewer) raise("UNAUTHENTICATED", SIGN_IN_FIRST);
  if (roles.length > 0 && !roles.some((role) => role.toLowerCase() === viewer.user.role)) {
    raise("FORBIDDEN", "Your role does not allow this");
  }
  return true;
};
