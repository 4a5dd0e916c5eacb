// The official Pipecat web client (PipecatClient with WebSocketTransport or SmallWebRTCTransport), exactly
// as an app would use it, instrumented so the test can see which callbacks fired and how much bot audio
// arrived. Bundled by build.mjs; run by run.mjs through window.e2e.run(options).
import { PipecatClient } from "@pipecat-ai/client-js";
import { SmallWebRTCTransport } from "@pipecat-ai/small-webrtc-transport";
import { WavMediaManager, WebSocketTransport } from "@pipecat-ai/websocket-transport";

const started = performance.now();
const events = [];
const audio = { frames: 0, bytes: 0, firstAtMs: null, audibleMs: 0, peak: 0 };
const CALLBACKS = [
  "onConnected", "onDisconnected", "onTransportStateChanged", "onBotReady", "onError", "onMessageError",
  "onServerMessage", "onMetrics", "onUserStartedSpeaking", "onUserStoppedSpeaking", "onUserTranscript",
  "onUserLlmText", "onBotLlmStarted", "onBotLlmText", "onBotLlmStopped", "onBotTranscript", "onBotTtsStarted",
  "onBotTtsText", "onBotTtsStopped", "onBotOutput", "onBotStartedSpeaking", "onBotStoppedSpeaking",
];

function record(name, data) {
  events.push({ name, atMs: Math.round(performance.now() - started), data: data === undefined ? null : data });
  document.getElementById("status").textContent = name;
}

const count = (name) => events.filter((e) => e.name === name).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, predicate, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A media manager that counts the bot audio the transport hands it, then plays it as usual. */
function countingMediaManager() {
  const manager = new WavMediaManager(512, 16000);
  const play = manager.bufferBotAudio.bind(manager);
  manager.bufferBotAudio = (data, id) => {
    audio.frames += 1;
    audio.bytes += data.byteLength;
    if (audio.firstAtMs === null) audio.firstAtMs = Math.round(performance.now() - started);
    return play(data, id);
  };
  return manager;
}

/** Bot voice over WebRTC arrives as a remote track: measure how long it is audible. */
function listenToBotTrack(track) {
  const element = new Audio();
  element.muted = true; // Chromium feeds a remote track to Web Audio only while a media element holds it
  element.srcObject = new MediaStream([track]);
  element.play().catch(() => {});
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  context.createMediaStreamSource(element.srcObject).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    const peak = samples.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    audio.peak = Math.max(audio.peak, peak);
    if (peak > 0.02) {
      audio.audibleMs += 50;
      if (audio.firstAtMs === null) audio.firstAtMs = Math.round(performance.now() - started);
    }
  }, 50);
}

function makeTransport(transportName) {
  if (transportName === "webrtc") {
    // Offline: no STUN/TURN, only host candidates (loopback here).
    return new SmallWebRTCTransport({ iceServers: [], mediaManager: new WavMediaManager(512, 16000) });
  }
  return new WebSocketTransport({ mediaManager: countingMediaManager(), recorderSampleRate: 16000 });
}

async function run({ transport: transportName, wsUrl, offerUrl, token, text, turnTimeoutMs }) {
  const callbacks = Object.fromEntries(CALLBACKS.map((name) => [name, (data) => record(name, data)]));
  callbacks.onTrackStarted = (track, participant) => {
    record("onTrackStarted", { kind: track.kind, local: Boolean(participant?.local) });
    if (track.kind === "audio" && !participant?.local) listenToBotTrack(track);
  };
  const transport = makeTransport(transportName);
  const client = new PipecatClient({ transport, enableMic: true, enableCam: false, callbacks });
  const steps = {};

  if (transportName === "webrtc") {
    const endpoint = token ? `${offerUrl}?token=${encodeURIComponent(token)}` : offerUrl;
    steps.botReady = await client.connect({ webrtcRequestParams: { endpoint } });
  } else {
    steps.botReady = await client.connect(token ? { wsUrl, token } : { wsUrl });
  }

  // 1. The question the fake microphone speaks: transcript, answer, voice.
  await until("a final user transcript", () => events.some((e) => e.name === "onUserTranscript" && e.data.final),
    turnTimeoutMs);
  await until("the spoken answer to end", () => count("onBotStoppedSpeaking") >= 1, turnTimeoutMs);

  // 2. Client requests: a built-in and the conversation status.
  steps.ping = await client.sendClientRequest("ping", { n: 1 });
  steps.status = await client.sendClientRequest("status");
  try {
    await client.sendClientRequest("no-such-request", {}, 5000);
  } catch (err) {
    steps.unknownRequestError = String(err?.data?.error ?? err?.message ?? err);
  }

  // 3. Typed text: a second answer, spoken.
  const spokenBefore = count("onBotStoppedSpeaking");
  const llmBefore = count("onBotLlmText");
  await client.sendText(text);
  await until("the answer to the typed text", () => count("onBotStoppedSpeaking") > spokenBefore
    && count("onBotLlmText") > llmBefore, turnTimeoutMs);

  await client.disconnect();
  return steps;
}

window.e2e = {
  events,
  audio,
  async run(options) {
    try {
      const steps = await run(options);
      return { ok: true, steps, events, audio };
    } catch (err) {
      return { ok: false, error: String(err?.stack ?? err), events, audio };
    }
  },
};
record("loaded");
