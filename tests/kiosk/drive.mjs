// Drives the kiosk page in Debian's chromium (never a downloaded browser) through one scenario and
// prints what it observed as one JSON line. The pytest side makes the assertions.
//
//   node drive.mjs SCENARIO '{"url": "...", "wav": "...", "screenshot": "...", ...}'
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.RTVI_EDGE_CHROMIUM || "/usr/bin/chromium";

function chromiumArgs(wav) {
  const args = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection", // WebRTC to the daemon on this machine, offline
  ];
  if (wav) {
    args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}%noloop`);
  }
  return args;
}

const kiosk = (page) => page.evaluate(() => JSON.parse(JSON.stringify({
  state: window.kiosk.state, stateHistory: window.kiosk.stateHistory, connection: window.kiosk.connection,
  audio: window.kiosk.audio, mic: window.kiosk.mic, wire: window.kiosk.wire, transcript: window.kiosk.transcript,
  toasts: window.kiosk.toasts, muted: window.kiosk.muted, timeline: window.kiosk.timeline,
})));

/** Waits for `predicate(window.kiosk, arg)` in the page; false on timeout instead of throwing. */
async function until(page, predicate, arg, timeoutMs) {
  try {
    await page.waitForFunction(
      ({ source, value }) => window.kiosk && new Function("k", "arg", `return (${source})(k, arg);`)(window.kiosk, value),
      { source: predicate.toString(), value: arg }, { timeout: timeoutMs, polling: 100 });
    return true;
  } catch {
    return false;
  }
}

const hasFinalUser = (k) => k.transcript.some((e) => e.role === "user" && e.text && !e.pending);
const botAnswered = (k, after) => k.transcript.slice(after).some((e) => e.role === "bot" && e.text && !e.pending);

// --- scenarios -------------------------------------------------------------------------------------

async function voice(page, args) {
  const seen = { ready: await until(page, (k) => k.connection === "ready", null, 60000) };
  seen.userFinal = await until(page, hasFinalUser, null, args.turnTimeoutMs);
  seen.speaking = await until(page, (k) => k.state === "speaking" && k.audio.bytesReceived > 0, null, args.turnTimeoutMs);
  await page.waitForTimeout(800); // let a few words of the answer show
  if (args.screenshot) await page.screenshot({ path: args.screenshot });
  seen.botDone = await until(page, botAnswered, 0, args.turnTimeoutMs)
    && (await until(page, (k) => k.state === "listening", null, args.turnTimeoutMs));
  return { seen, afterVoice: await kiosk(page) };
}

async function controls(page, args) {
  const seen = { ready: await until(page, (k) => k.connection === "ready", null, 60000) };
  // The text box: a typed question gets its own answer.
  await page.fill("#composer-input", args.typed);
  await page.press("#composer-input", "Enter");
  seen.typedAnswered = await until(page, botAnswered, 1, args.turnTimeoutMs);
  seen.typedDone = await until(page, (k) => k.state === "listening", null, args.turnTimeoutMs);
  const afterTyped = await kiosk(page);

  // Mute from the keyboard (focus outside the text box), then unmute.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("m");
  await page.waitForTimeout(1000);
  const mutedLater = await kiosk(page);
  await page.keyboard.press("m");
  await page.waitForTimeout(1000);
  const unmuted = await kiosk(page);

  // Barge-in: Esc while the bot speaks stops it; its queued audio is dropped at once.
  const beforeLong = (await kiosk(page)).transcript.length;
  await page.fill("#composer-input", args.longQuestion);
  await page.press("#composer-input", "Enter");
  await page.evaluate(() => document.activeElement?.blur());
  seen.longSpeaking = await until(page, (k) => k.state === "speaking" && k.audio.playing, null, args.turnTimeoutMs);
  const clearsBefore = (await kiosk(page)).audio.clears;
  await page.keyboard.press("Escape");
  seen.interrupted = await until(page, (k, from) => k.transcript.slice(from).some((e) => e.interrupted),
    beforeLong, 15000);
  seen.stoppedAfterEsc = await until(page, (k) => !k.audio.playing && k.state !== "speaking", null, 15000);
  const afterEsc = await kiosk(page);

  // Push to talk: hold the big button.
  await page.locator("#talk").dispatchEvent("pointerdown", { button: 0, pointerId: 1 });
  const pressedLabel = await page.textContent("#talk-label");
  await page.waitForTimeout(300);
  await page.locator("#talk").dispatchEvent("pointerup", { button: 0, pointerId: 1 });
  await page.waitForTimeout(1500);
  return { seen, afterTyped, mutedLater, unmuted, clearsBefore, afterEsc, pressedLabel };
}

async function saveSettings(page) {
  await page.click("#settings-save");
  await page.locator("#settings-status").filter({ hasText: /^(Saved|Not saved|Nothing changed)/ })
    .waitFor({ timeout: 15000 });
  return page.textContent("#settings-status");
}

async function settings(page, args) {
  const ready = await until(page, (k) => k.connection === "ready", null, 60000);
  await page.keyboard.press("s");
  const dialogOpen = await page.locator("#settings").evaluate((d) => d.open);
  await page.locator("#cfg-vad-stop_secs").waitFor({ timeout: 15000 });
  const labels = await page.locator("#settings-main label").allTextContents();
  const original = await page.inputValue("#cfg-vad-stop_secs");
  const voice = await page.inputValue("#cfg-tts-voice");
  const prompt = await page.inputValue("#cfg-llm-system_prompt");

  await page.fill("#cfg-vad-stop_secs", String(args.stopSecs));
  const saveStatus = await saveSettings(page);
  const reloaded = await page.inputValue("#cfg-vad-stop_secs");

  await page.fill("#cfg-vad-stop_secs", String(args.badStopSecs));
  const badStatus = await saveSettings(page);
  const badKind = await page.getAttribute("#settings-status", "data-kind");

  await page.fill("#cfg-vad-stop_secs", original);
  await saveSettings(page);
  const restored = await page.inputValue("#cfg-vad-stop_secs");

  await page.check("#large-text");
  await page.keyboard.press("Escape");
  // Keyboard and assistive technology: tab to the talk button, its focus ring, the live regions,
  // and no animation under prefers-reduced-motion.
  await page.evaluate(() => document.activeElement?.blur());
  let focused = "";
  for (let i = 0; i < 12 && focused !== "talk"; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.id || "");
  }
  const a11y = await page.evaluate(() => {
    const talk = document.getElementById("talk");
    const log = document.getElementById("transcript");
    return {
      focusOutline: getComputedStyle(talk).outlineStyle,
      logRole: log.getAttribute("role"),
      logLive: log.getAttribute("aria-live"),
      stateLive: document.getElementById("state-label").getAttribute("aria-live"),
      ringAnimation: getComputedStyle(document.querySelector(".orb-ring")).animationName,
    };
  });
  await page.keyboard.press("s");
  const largeText = await page.evaluate(() => document.documentElement.classList.contains("large-text"));
  await page.keyboard.press("Escape");
  const closed = !(await page.locator("#settings").evaluate((d) => d.open));
  return { ready, dialogOpen, labels, original, voice, prompt, saveStatus, reloaded, badStatus, badKind, restored,
    closed, largeText, focused, a11y };
}

async function auth(page, args) {
  const dialog = page.locator("#connect");
  const prompts = () => page.evaluate(() => window.kiosk.tokenPrompts);
  const asked = await dialog.waitFor({ state: "visible", timeout: 30000 }).then(() => true, () => false);
  await page.fill("#token-input", args.wrongToken);
  await page.press("#token-input", "Enter");
  await until(page, (k) => k.tokenPrompts >= 2, null, 30000);
  const promptsAfterWrong = await prompts();
  await page.fill("#token-input", args.token);
  await page.press("#token-input", "Enter");
  const ready = await until(page, (k) => k.connection === "ready", null, 30000);
  const stored = await page.evaluate(() => localStorage.getItem("rtvi-edge.token"));
  await page.reload();
  const readyAfterReload = await until(page, (k) => k.connection === "ready", null, 30000);
  const dialogAfterReload = await dialog.isVisible();
  return { asked, promptsAfterWrong, ready, stored, readyAfterReload, dialogAfterReload };
}

async function monitor(page, args) {
  const ready = await until(page, (k) => k.connection === "ready", null, 60000);
  const userFinal = await until(page, hasFinalUser, null, args.turnTimeoutMs);
  const botDone = await until(page, botAnswered, 0, args.turnTimeoutMs);
  if (args.screenshot) await page.screenshot({ path: args.screenshot });
  return { ready, userFinal, botDone, badge: await page.isVisible("#mode-badge"), final: await kiosk(page) };
}

// Over WebRTC: the microphone is a track, the answer comes back as one (no WebSocket audio frames).
async function webrtc(page, args) {
  const seen = { ready: await until(page, (k) => k.connection === "ready", null, 60000) };
  seen.userFinal = await until(page, hasFinalUser, null, args.turnTimeoutMs);
  seen.botDone = await until(page, botAnswered, 0, args.turnTimeoutMs)
    && (await until(page, (k) => k.state === "listening", null, args.turnTimeoutMs));
  return { seen, final: await kiosk(page) };
}

// The daemon is stopped and started again by the test while this waits (it hears of "connected").
async function reconnect(page, args) {
  const ready = await until(page, (k) => k.connection === "ready", null, 60000);
  console.log(JSON.stringify({ step: "connected" }));
  const lost = await until(page, (k) => k.connection !== "ready", null, 60000);
  const whileDown = await kiosk(page);
  const back = await until(page, (k) => k.connection === "ready", null, args.restartTimeoutMs);
  await page.waitForTimeout(300);
  const notices = await page.locator(".notice").allTextContents();
  return { ready, lost, whileDown, back, notices };
}

const SCENARIOS = { voice, controls, settings, auth, monitor, reconnect, webrtc };

// --- main ------------------------------------------------------------------------------------------

async function main() {
  const [name, rawArgs] = process.argv.slice(2);
  const args = { turnTimeoutMs: 90000, ...JSON.parse(rawArgs || "{}") };
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  // A fresh profile every run (playwright passes it as --user-data-dir).
  const profile = mkdtempSync(join(tmpdir(), "kiosk-chromium-"));
  const logs = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: chromiumArgs(args.wav),
      viewport: args.viewport || { width: 1280, height: 800 }, reducedMotion: args.reducedMotion || "no-preference",
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on("console", (message) => logs.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => logs.push(`pageerror: ${error.message}`));
    await page.goto(args.url);
    const result = await scenario(page, args);
    result.final = result.final || (await kiosk(page));
    console.log(JSON.stringify({ ok: true, result, logs }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: String(error.stack || error), logs }));
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main();
