// Opens the bundled test page in Debian's chromium (never a downloaded browser), with a fake microphone
// playing WAV, runs window.e2e.run(options) against the daemon and prints the outcome as one JSON line.
//   node run.mjs '{"dist": DIR, "wav": FILE, "transport": "websocket"|"webrtc", "wsUrl": "ws://...",
//                  "offerUrl": "http://.../api/offer", "token": "...", "text": "...", "turnTimeoutMs": N}'
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.RTVI_EDGE_CHROMIUM || "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript" };
const options = JSON.parse(process.argv[2]);

/** The page comes from http://127.0.0.1 (a secure context, so the microphone may be opened). */
function servePage(dist) {
  const server = createServer((request, response) => {
    const name = normalize(new URL(request.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = readFileSync(join(dist, name.includes("..") ? "missing" : name));
      response.writeHead(200, { "Content-Type": TYPES[extname(name)] || "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const chromiumArgs = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
  "--allow-loopback-in-peer-connection", // WebRTC to the daemon on this machine, with no network at all
  `--use-file-for-fake-audio-capture=${options.wav}`,
];

const logs = [];
const profile = mkdtempSync(join(tmpdir(), "rtvi-e2e-profile-"));
const server = await servePage(options.dist);
let context;
let outcome;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: chromiumArgs, permissions: ["microphone"],
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (message) => logs.push(`${message.type()}: ${message.text()}`.slice(0, 500)));
  page.on("pageerror", (error) => logs.push(`pageerror: ${error.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForFunction(() => window.e2e !== undefined, null, { timeout: 30000 });
  outcome = await page.evaluate((args) => window.e2e.run(args), options);
} catch (error) {
  outcome = { ok: false, error: String(error?.stack ?? error) };
} finally {
  await context?.close().catch(() => {});
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...outcome, logs: logs.slice(-200) }));
