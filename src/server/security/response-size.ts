import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../lib/errors";

/**
 * About how many bytes `value` takes as JSON, counting up to just past `limit` and no further.
 * The result's strings are shared with the loaded documents, so this walk allocates little; the
 * answer is refused before serializing it would.
 */
export function jsonSizeUpTo(value: unknown, limit: number): number {
  let size = 0;
  const visit = (node: unknown): void => {
    if (size > limit) return;
    if (typeof node === "string") size += Buffer.byteLength(node) + 2;
    else if (node === null || typeof node !== "object") size += String(node).length;
    else if (Array.isArray(node)) {
      size += 2 + node.length;
      for (const item of node) visit(item);
    } else {
      // for..in, not Object.entries: no array per object (results are plain objects).
      const object = node as Record<string, unknown>;
      for (const key in object) {
        if (!Object.hasOwn(object, key)) continue;
        size += key.length + 4;
        visit(object[key]);
      }
    }
  };
  visit(value);
  return size;
}

/** The error an answer larger than `maxBytes` is replaced with. */
export function responseTooLarge(maxBytes: number): GraphQLFormattedError {
  return {
    message: `The answer is larger than the ${maxBytes} bytes allowed; ask for fewer items or leave out long text fields`,
    extensions: { code: ErrorCode.RESPONSE_TOO_LARGE, maxResponseBytes: maxBytes },
  };
}

/** Over HTTP: an answer whose data is larger than `maxBytes` is sent as RESPONSE_TOO_LARGE instead. */
export function responseSizePlugin(maxBytes: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if (!result.data || jsonSizeUpTo(result.data, maxBytes) <= maxBytes) return;
          response.body.singleResult = { data: null, errors: [responseTooLarge(maxBytes)] };
        },
      };
    },
  };
}
