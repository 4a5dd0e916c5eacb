// The kiosk page: wires the RTVI connection to the microphone, the player, the transcript, the state
// orb, the buttons and the settings panel. `?mode=monitor` follows the device's own session instead
// (events only: no microphone, no playback).
import { Controls } from "./controls.js";
import { MIC_RATE, Microphone } from "./mic.js";
import { Player } from "./player.js";
import { RtviClient } from "./rtvi.js";
import { SettingsPanel } from "./settings.js";
import { ConversationState } from "./state.js";
import { Transcript } from "./transcript.js";
import { Toasts, askForToken, initLargeText, initialToken, rememberToken } from "./ui.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const monitor = params.get("mode") === "monitor";
let token = initialToken(params);

const toasts = new Toasts($("toasts"));
const transcript = new Transcript($("transcript"));
const conversation = new ConversationState(showState);
const player = monitor ? null : new Player({ onPlayingChange: () => updateSoundGate() });
let micLevel = 0;
const mic = monitor ? null : new Microphone(onMicFrame);
let micFramesSent = 0;
let everReady = false;

const client = new RtviClient({
  url: serverUrl,
  offerUrl,
  onStream: (stream) => player?.playStream(stream),
  about: { library: "rtvi-edge-kiosk", library_version: "1.0.0", platform: navigator.platform || "web",
           platform_details: { user_agent: navigator.userAgent, mode: monitor ? "monitor" : "voice" } },
  onStatus,
  onMessage,
  onAudio,
});

const controls = new Controls(
  { talk: $("talk"), talkLabel: $("talk-label"), mute: $("mute"), muteLabel: $("mute-label") },
  { onTalk: pushToTalk, onMute: setMuted, onShortcut: shortcut },
);

const settings = new SettingsPanel(client, {
  form: $("settings-form"), main: $("settings-main"), advanced: $("settings-advanced"),
  status: $("settings-status"), save: $("settings-save"),
});

function serverUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams();
  if (token) query.set("token", token);
  if (monitor) query.set("mode", "monitor");
  const suffix = query.toString();
  return `${scheme}://${location.host}/ws${suffix ? `?${suffix}` : ""}`;
}

/** The SmallWebRTC offer URL, unless `?transport=websocket` asks for the WebSocket only. */
function offerUrl() {
  if (params.get("transport") === "websocket") return null;
  const query = new URLSearchParams();
  if (token) query.set("token", token);
  if (monitor) query.set("mode", "monitor");
  const suffix = query.toString();
  return `${location.protocol}//${location.host}/api/offer${suffix ? `?${suffix}` : ""}`;
}

// --- connection ------------------------------------------------------------------------------------

const STATUS_TEXT = {
  connecting: "Connecting…",
  ready: "Connected",
  reconnecting: "Reconnecting…",
  "auth-failed": "Access token needed",
  stopped: "Offline",
};

function onStatus(status, detail) {
  $("connection").dataset.status = status;
  $("connection-text").textContent = STATUS_TEXT[status] || status;
  $("connection").title = detail;
  $("connection-detail").textContent = `${location.host}${monitor ? " · following the device microphone" : ""}`
    + ` · ${STATUS_TEXT[status] || status}${detail ? ` (${detail})` : ""}`;
  if (status === "ready") {
    conversation.setConnection("ready");
    if (everReady) transcript.notice("Reconnected");
    everReady = true;
    startMic().then(() => mic?.stream && client.useMicrophone(mic.stream.getAudioTracks()[0]));
    if (controls.muted && !monitor) clientMessage("mute", { muted: true }); // a fresh session starts unmuted
    fetchStatus();
  } else {
    if (status === "reconnecting" && client.stats.connects && conversation.connection === "ready") {
      transcript.notice("Connection lost");
    }
    conversation.setConnection(status === "connecting" && !everReady ? "connecting" : "disconnected");
  }
  player?.clear();
  if (status === "auth-failed") requestToken(detail);
}

let tokenPrompts = 0;

async function requestToken(reason) {
  tokenPrompts++;
  const typed = await askForToken($("connect"), `${reason[0].toUpperCase()}${reason.slice(1)}.`);
  if (typed === null) {
    $("connection-text").textContent = "Not connected: access token needed";
    return;
  }
  token = typed;
  rememberToken(token);
  client.start();
}

// --- messages from the server ----------------------------------------------------------------------

// Recent events with their arrival time, for diagnostics (e.g. end of speech -> first bot audio).
const timeline = [];
function mark(type) {
  timeline.push({ t: Math.round(performance.now()), type });
  if (timeline.length > 300) timeline.shift();
}

function onMessage(message) {
  const data = message.data || {};
  mark(message.type);
  conversation.fromEvent(message.type);
  switch (message.type) {
    case "user-started-speaking":
      player?.clear(); // barge-in: whatever of the bot is still queued goes at once
      break;
    case "user-transcription":
      if (data.final === false) transcript.userInterim(String(data.text || ""));
      else if (data.text) transcript.userFinal(String(data.text));
      break;
    case "user-llm-text":
      if (data.text) transcript.userLlmText(String(data.text));
      break;
    case "bot-llm-text":
      transcript.botText(String(data.text || ""), "llm");
      break;
    case "bot-output":
      transcript.botText(String(data.text || ""), "output");
      break;
    case "bot-tts-text":
      transcript.botText(String(data.text || ""), "tts");
      break;
    case "bot-stopped-speaking":
      transcript.closeBot();
      break;
    case "bot-interrupted":
      player?.clear();
      transcript.botInterrupted();
      break;
    case "user-mute-started":
    case "user-mute-stopped":
      controls.setMuted(message.type === "user-mute-started");
      conversation.setLocalMuted(controls.muted);
      break;
    case "llm-function-call-in-progress":
      transcript.action(describeAction(data));
      break;
    case "server-message":
      onServerMessage(data);
      break;
    case "error":
      toasts.show(data.error || data.message || "The assistant reported an error.", "error");
      if (data.fatal) conversation.setConversation("error");
      break;
    case "error-response":
      if (!message.answered) toasts.show(data.error || "A request failed.", "error");
      break;
    default:
      break;
  }
}

/** "turn on · kitchen light": what an action did, for the transcript (intent or LLM, the same way). */
function describeAction(data) {
  const name = String(data.function_name || "action").replaceAll("_", " ");
  const args = data.arguments && typeof data.arguments === "object" ? Object.values(data.arguments) : [];
  const shown = args.filter((value) => ["string", "number", "boolean"].includes(typeof value)).join(", ");
  return shown ? `${name} · ${shown}` : name;
}

// server-message {type, ...}: the daemon's extras beyond the RTVI events.
const SERVER_MESSAGES = {
  state: (data) => typeof data.state === "string" && conversation.fromServer(data.state),
  timer: (data) => toasts.show(`Timer done${data.label ? `: ${data.label}` : ""}`),
  "llm-queued": (data) => data.position > 0
    && ($("state-hint").textContent = `Waiting for the assistant (${data.position} ahead)…`),
  "device-status": (data) => data.ok === false
    && toasts.show(`${data.part || "Device"}: ${data.detail || "not working"}`, "error"),
  "answer-source": (data) => typeof data.document === "string" && data.document
    && transcript.botSource({ document: data.document, section: String(data.section || "") }),
};

function onServerMessage(data) {
  const handler = SERVER_MESSAGES[data.type];
  if (handler) handler(data);
  else if (typeof data.text === "string" && data.text) toasts.show(data.text);
}

/** The conversation's state and mute as they are now (events only tell of changes). */
async function fetchStatus() {
  try {
    const reply = await client.request("client-message", { t: "status" });
    const status = reply.data?.d || {};
    if (typeof status.state === "string" && status.state) conversation.fromServer(status.state);
    if (monitor && typeof status.muted === "boolean") { // the device's own mute, set elsewhere
      controls.setMuted(status.muted);
      conversation.setLocalMuted(status.muted);
    }
  } catch {
    /* an older daemon without "status": the events will tell */
  }
}

let lastAudioAt = 0;

function onAudio(frame) {
  if (performance.now() - lastAudioAt > 500) mark("first-audio"); // the start of an answer's audio
  lastAudioAt = performance.now();
  if (!player) return;
  player.enqueue(frame.pcm, frame.sampleRate);
  updateSoundGate();
}

// --- microphone and buttons ------------------------------------------------------------------------

async function startMic() {
  if (!mic || mic.running) return;
  try {
    await mic.start();
    $("mic-note").hidden = true;
    updateSoundGate();
  } catch (error) {
    $("mic-note").textContent = `Voice input is off: ${error.message}. You can still type.`;
    $("mic-note").hidden = false;
  }
}

function onMicFrame(pcm, level) {
  micLevel = level;
  if (controls.muted || !client.ready) return;
  if (client.sendAudio(pcm, MIC_RATE)) micFramesSent++;
}

function pushToTalk(pressed) {
  if (pressed) player?.clear(); // pressing to talk cuts the bot off at once
  clientMessage("push-to-talk", { pressed });
}

function setMuted(muted) {
  conversation.setLocalMuted(muted);
  mic?.stream?.getAudioTracks().forEach((track) => { track.enabled = !muted; }); // the WebRTC track too
  clientMessage("mute", { muted });
}

// Button intents go out as client-message {t, d}; a daemon without a hook for one gets the same
// intent as a services-API action instead (user:mute, user:push_to_talk).
const FALLBACK_ACTIONS = {
  mute: (d) => ({ service: "user", action: "mute", arguments: [{ name: "muted", value: d.muted }] }),
  "push-to-talk": (d) => ({ service: "user", action: "push_to_talk", arguments: [{ name: "pressed", value: d.pressed }] }),
  interrupt: () => ({ service: "tts", action: "interrupt" }),
};
const useAction = new Set();
const refused = new Set();

async function clientMessage(t, d) {
  try {
    if (useAction.has(t)) await client.request("action", FALLBACK_ACTIONS[t](d));
    else await client.request("client-message", { t, d });
  } catch (error) {
    if (!client.ready) return;
    if (!useAction.has(t) && FALLBACK_ACTIONS[t] && /no handler|unsupported/i.test(error.message)) {
      useAction.add(t);
      clientMessage(t, d);
    } else if (!refused.has(t)) {
      refused.add(t); // say it once per kind, not at every press
      toasts.show(`The device did not accept "${t}": ${error.message}`, "error");
    }
  }
}

function shortcut(event) {
  if (event.key === "s" || event.key === "S") openSettings();
  else if (event.key === "Escape" && conversation.current() === "speaking") {
    player?.clear();
    clientMessage("interrupt", {});
  }
}

// --- composer, settings, sound gate ----------------------------------------------------------------

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("composer-input");
  const content = input.value.trim();
  if (!content) return;
  player?.clear();
  const sent = client.send("send-text", { content, options: { run_immediately: true, audio_response: !monitor } });
  if (!sent) {
    toasts.show("Not connected: the message was not sent.", "error");
    return;
  }
  transcript.userTyped(content);
  input.value = "";
});

function openSettings() {
  $("settings").showModal();
  settings.load();
}

$("open-settings").addEventListener("click", openSettings);
$("change-token").addEventListener("click", () => {
  $("settings").close();
  client.stop();
  requestToken("enter the access token for this device");
});
initLargeText($("large-text"));

// Browsers may hold audio back until the page is touched: then one tap turns on sound and the mic.
function updateSoundGate() {
  const soundHeld = player && player.playing && player.suspended;
  $("sound-gate").hidden = !(soundHeld || mic?.suspended);
}

function resumeAudio() {
  Promise.all([player?.resume(), mic?.resume()]).then(updateSoundGate);
}

$("sound-gate").addEventListener("click", resumeAudio);
document.addEventListener("pointerdown", resumeAudio, { capture: true });
document.addEventListener("keydown", resumeAudio, { capture: true });

// --- the orb ---------------------------------------------------------------------------------------

function showState(state, { label, hint }) {
  document.body.dataset.state = state;
  $("orb").dataset.state = state;
  $("state-label").textContent = monitor && state === "listening" ? "Listening on the device" : label;
  $("state-hint").textContent = hint;
}

const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
let shownLevel = 0;

function animate() {
  let level = 0;
  if (!reducedMotion.matches) {
    const state = conversation.current();
    if (state === "speaking") level = player ? player.level() * 3 : 0.15;
    else if (state === "user_speaking" || state === "listening") level = micLevel * 4;
  }
  shownLevel += (Math.min(1, level) - shownLevel) * 0.3;
  document.body.style.setProperty("--level", shownLevel.toFixed(3));
  requestAnimationFrame(animate);
}

// --- start -----------------------------------------------------------------------------------------

if (monitor) {
  $("mode-badge").hidden = false;
  $("controls-hint").innerHTML = "Follows the device microphone · <kbd>M</kbd> mutes it";
}
conversation.render();
requestAnimationFrame(animate);
player?.ensureContext();
client.start();

// Read-only view for diagnostics and the browser tests.
window.kiosk = {
  get state() { return conversation.current(); },
  get stateHistory() { return [...conversation.history]; },
  get connection() { return client.status; },
  get audio() { return player ? { ...player.stats, playing: player.playing, suspended: player.suspended } : null; },
  get mic() { return mic ? { running: mic.running, framesCaptured: mic.framesCaptured, framesSent: micFramesSent } : null; },
  get wire() { return { ...client.stats, transport: client.transport }; },
  get transcript() { return transcript.entries(); },
  get toasts() { return [...toasts.recent]; },
  get muted() { return controls.muted; },
  get tokenPrompts() { return tokenPrompts; },
  get timeline() { return [...timeline]; },
  monitor,
};
