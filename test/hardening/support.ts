import type { GraphQLFormattedError } from "graphql";

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else undefined. */
  body?: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[]; detail?: unknown };
  text: string;
  ms: number;
}

/** A POST of any body (a GraphQL request, a batch, malformed JSON), timed; aborted after `timeoutMs`. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<RawResponse> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    signal: AbortSignal.timeout(timeoutMs),
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: RawResponse["body"];
  try {
    parsed = JSON.parse(text) as RawResponse["body"];
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text, ms: performance.now() - started };
}

export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The codes of a response's errors, for assertions. */
export function codes(response: { body?: { errors?: GraphQLFormattedError[] } }): unknown[] {
  return (response.body?.errors ?? []).map((error) => error.extensions?.code);
}

/** `{ health { status } }` with `n` levels of `{ a: b { ... } }` around a field, as a string. */
export function nested(depth: number, open: (level: number) => string, leaf: string): string {
  let query = leaf;
  for (let level = depth - 1; level >= 0; level--) query = `${open(level)} { ${query} }`;
  return query;
}
