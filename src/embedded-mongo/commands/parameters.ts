import type { Document } from "bson";
import { commandError } from "../errors";
import { GENERIC_FIELDS } from "./args";
import type { CommandContext, CommandTable } from "./context";

function onAdmin(name: string, ctx: CommandContext): void {
  if (ctx.db !== "admin") throw commandError("Unauthorized", `${name} may only be run against the admin database.`);
}

/** The parameter names a command carries: every field but its own name and the generic ones. */
function namesIn(command: Document, commandName: string): string[] {
  return Object.keys(command).filter((key) => key !== commandName && key !== "help" && !GENERIC_FIELDS.has(key) && !key.startsWith("$"));
}

export const parameterCommands: CommandTable = {
  getparameter: (command: Document, ctx) => {
    onAdmin("getParameter", ctx);
    return { ...ctx.parameters.get(command.getParameter === "*" ? "*" : namesIn(command, "getParameter")), ok: 1 };
  },
  setparameter: (command: Document, ctx) => {
    onAdmin("setParameter", ctx);
    const names = namesIn(command, "setParameter");
    if (names.length === 0) throw commandError("InvalidOptions", "no option found to set, use help:true to see options");
    if (names.length > 1) throw commandError("InvalidOptions", "only one parameter may be set at a time");
    return { was: ctx.parameters.set(names[0], command[names[0]]), ok: 1 };
  },
};
