import type { Response } from "express";
import { GraphQLError } from "graphql";

/**
 * Answers a service's refusal on a REST route as `{"detail": message}`, with the status `statuses`
 * gives its error code; false (nothing sent) for any other error, which the route rethrows.
 */
export function sentRefusal(res: Response, error: unknown, statuses: Partial<Record<string, number>>): boolean {
  const status = error instanceof GraphQLError ? statuses[String(error.extensions.code)] : undefined;
  if (!status) return false;
  res.status(status).json({ detail: (error as GraphQLError).message });
  return true;
}
