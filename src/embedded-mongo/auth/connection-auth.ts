import type { RoleGrant } from "./roles";
import type { ScramConversation } from "./scram";

/** What one client connection has proven: the users it authenticated as, and a conversation in progress. */
export class ConnectionAuth {
  readonly users = new Map<string, { user: string; db: string; roles: RoleGrant[] }>();
  conversation?: { id: number; db: string; scram: ScramConversation; done: boolean; skipEmptyExchange: boolean };

  get roles(): RoleGrant[] {
    return [...this.users.values()].flatMap((u) => u.roles);
  }
}
