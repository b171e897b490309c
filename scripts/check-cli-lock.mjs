// Checks that ui/package-lock.json carries the Tauri CLI's native binary for every platform we build
// on (Windows x64/arm64/ia32, macOS x64/arm64, Linux x64/arm64 glibc and musl), at the CLI's own
// version and with an integrity hash: otherwise `npm ci` on a release runner installs no CLI.
// Run by scripts/package.sh; exits non-zero and names what is missing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const lockPath = fileURLToPath(new URL("../ui/package-lock.json", import.meta.url));
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages ?? {};
const REQUIRED = [
  "win32-x64-msvc", "win32-arm64-msvc", "win32-ia32-msvc",
  "darwin-x64", "darwin-arm64",
  "linux-x64-gnu", "linux-x64-musl", "linux-arm64-gnu", "linux-arm64-musl",
];

const problems = [];
const cli = packages["node_modules/@tauri-apps/cli"];
if (!cli) {
  problems.push("@tauri-apps/cli itself is not in the lock");
} else {
  const optional = cli.optionalDependencies ?? {};
  for (const platform of REQUIRED) {
    const name = `@tauri-apps/cli-${platform}`;
    const entry = packages[`node_modules/${name}`];
    if (!(name in optional)) problems.push(`${name}: not an optional dependency of @tauri-apps/cli ${cli.version}`);
    else if (!entry) problems.push(`${name}: missing from the lock`);
    else if (entry.version !== cli.version) problems.push(`${name}: ${entry.version}, CLI is ${cli.version}`);
    else if (!entry.integrity) problems.push(`${name}: no integrity hash`);
  }
}
if (problems.length) {
  console.error(`ui/package-lock.json is incomplete:\n  ${problems.join("\n  ")}`);
  console.error("Fix: cd ui && npm install --package-lock-only --ignore-scripts (against a registry that serves every");
  console.error("platform's @tauri-apps/cli-* package; it restores them all), then npm ci.");
  process.exit(1);
}
console.log(`ui/package-lock.json: @tauri-apps/cli ${cli.version} with ${REQUIRED.length} platform binaries (${REQUIRED.join(", ")})`);
