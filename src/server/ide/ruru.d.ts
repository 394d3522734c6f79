// tsconfig resolves modules the node10 way, which ignores package.json "exports";
// ruru publishes its server entry point only there.
declare module "ruru/server" {
  export * from "ruru/dist/server";
}