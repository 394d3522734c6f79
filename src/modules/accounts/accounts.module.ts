import { peers, type AppModule } from "../app-module";
import { AccountDeletionService } from "./account-deletion.service";
import { AccountsResolver } from "./accounts.resolver";

/** Deleting accounts (by their owners or admins): the cascade through `user.deleted`, finished at start-up when cut short. */
export const accountsModule: AppModule<{ accountDeletion: AccountDeletionService }> = {
  name: "accounts",
  resolvers: [AccountsResolver],
  create({ aiWork, events, log, services }) {
    const accountDeletion = new AccountDeletionService(peers(services, ["users", "identities", "auth"], { events, aiWork, log }));
    return {
      services: { accountDeletion },
      // Listed last: every other module has started (indexes, handlers ready). In the background: start-up does not wait for it.
      start: async () => {
        void accountDeletion
          .resume()
          .then((count) => count > 0 && log.info({ count }, "accounts: finished deletions an earlier process left"))
          .catch((error: unknown) => log.error({ err: error }, "accounts: finishing interrupted deletions failed; they are tried again at the next start or by deleteUser"));
      },
    };
  },
};
