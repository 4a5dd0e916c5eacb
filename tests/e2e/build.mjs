// Bundles page/client.js with the official client packages into OUTDIR/client.bundle.js (+ index.html).
//   node build.mjs OUTDIR
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] || join(here, "dist");
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(here, "page", "client.js")],
  bundle: true,
  format: "iife",
  target: "chrome120",
  outfile: join(outdir, "client.bundle.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "page", "index.html"), join(outdir, "index.html"));
console.log(outdir);
