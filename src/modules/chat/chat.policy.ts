import type { SignedIn } from "../../lib/identity";

/**
 * A chat session and its messages are their owner's alone: admins included, nobody else reads
 * them (a conversation may hold private material). As a query filter, so a foreign id reads
 * exactly like a missing one.
 */
export const ChatPolicy = {
  own(user: SignedIn): { owner_id: SignedIn["_id"] } {
    return { owner_id: user._id };
  },
};
