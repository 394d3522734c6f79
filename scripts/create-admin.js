// `npm run create-admin` wherever the app is: in a clone it runs the TypeScript source (the dev
// dependencies compile it on the fly); in the Docker image, which has neither the sources nor the
// dev dependencies, it runs the compiled `dist/` (`node dist/modules/users/create-admin-cli.js`).
const { join } = require("node:path");

const ROOT = join(__dirname, "..");

function hasDevDependencies() {
  try {
    require.resolve("@swc-node/register");
    return true;
  } catch {
    return false;
  }
}

if (hasDevDependencies()) {
  require("@swc-node/register");
  require(join(ROOT, "src/modules/users/create-admin-cli.ts"));
} else {
  require(join(ROOT, "dist/modules/users/create-admin-cli.js"));
}
