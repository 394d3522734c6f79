import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { GraphQLResponse, RequestOptions } from "./graphql";

export interface UploadFile {
  /** Where the file goes in the operation, e.g. `variables.file`. */
  variablePath: string;
  filename: string;
  contentType: string;
  content: Buffer | string;
}

export interface UploadOptions extends RequestOptions {
  /**
   * Apollo blocks multipart requests without `apollo-require-preflight` (CSRF prevention);
   * false leaves the header out to show exactly that.
   */
  preflight?: boolean;
}

/** A request in the GraphQL multipart request spec (operations, map, then the files). */
export async function uploadRequest<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  files: UploadFile[],
  options: UploadOptions = {},
): Promise<GraphQLResponse<TData>> {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query: print(document), variables }));
  form.append("map", JSON.stringify(Object.fromEntries(files.map((file, i) => [String(i), [file.variablePath]]))));
  files.forEach((file, i) => {
    form.append(String(i), new Blob([file.content], { type: file.contentType }), file.filename);
  });
  const response = await fetch(url, {
    method: "POST",
    headers: {
      ...(options.preflight === false ? {} : { "apollo-require-preflight": "true" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: form,
  });
  const text = await response.text();
  const body = text.startsWith("{") ? (JSON.parse(text) as Omit<GraphQLResponse<TData>, "status" | "headers">) : {};
  return { status: response.status, headers: response.headers, ...body };
}
