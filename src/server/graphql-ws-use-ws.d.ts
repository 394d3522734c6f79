// tsconfig resolves modules the node10 way, which ignores package.json "exports";
// graphql-ws 6 publishes its ws adapter only there.
declare module "graphql-ws/use/ws" {
  export * from "graphql-ws/dist/use/ws";
}
