import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

// The shell blocks run in CI (`npm run check:docs`, a step of .ci/run); links and the
// configuration reference are cheap enough to hold in every `npm test`.
it("keeps every documentation link and configuration variable true", () => {
  const result = spawnSync(process.execPath, ["scripts/check-docs.js", "--no-run"], { cwd: resolve(__dirname, "../.."), encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.stdout).toMatch(/0 problem\(s\)/);
  expect(result.status).toBe(0);
});
