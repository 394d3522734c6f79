import type { FormattedExecutionResult, GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../lib/errors";

/**
 * About how many bytes `value` takes as JSON, counting up to just past `limit` and no further:
 * for websocket results, which graphql-ws serializes itself. The result's strings are shared with
 * the loaded documents, so this walk allocates little.
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

/**
 * Over HTTP, Apollo's `stringifyResult`: an answer with data whose JSON is larger than `maxBytes`
 * is sent as RESPONSE_TOO_LARGE instead, and `refused` is told (Apollo's plugins have run by then).
 * Measuring the text Apollo sends anyway costs less than walking the result first.
 */
export function sizeCheckedJson(maxBytes: number, refused: (errors: GraphQLFormattedError[]) => void = () => undefined): (result: FormattedExecutionResult) => string {
  const errors = [responseTooLarge(maxBytes)];
  const tooLarge = `${JSON.stringify({ data: null, errors })}\n`;
  const refuse = () => {
    refused(errors);
    return tooLarge;
  };
  return (result) => {
    let text: string;
    try {
      text = `${JSON.stringify(result)}\n`;
    } catch (error) {
      // Longer than the longest string V8 can make.
      if (error instanceof RangeError) return refuse();
      throw error;
    }
    // n UTF-16 units are at most 3n bytes of UTF-8: most answers need no count.
    if (!result.data || text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
    return refuse();
  };
}
