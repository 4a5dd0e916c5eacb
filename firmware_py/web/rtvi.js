// One RTVI connection with a reconnect loop: open the link, send client-ready, wait for bot-ready,
// dispatch messages and audio; on loss back off and retry; on an auth failure stop and ask for a token.
// The link is WebRTC when the browser has it (Opus, its own echo cancellation), else a WebSocket; a
// WebRTC link that cannot be set up makes the next attempts use the WebSocket.
import { WebRtcLink } from "./webrtc.js";
import { decodeFrame, encodeAudio, encodeMessage } from "./wire.js";

export const PROTOCOL_VERSION = "2.2.0";
const LABEL = "rtvi-ai";
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15000;
const KEEPALIVE_MS = 45000; // a monitor or muted page sends nothing else; the server closes idle clients
const REQUEST_TIMEOUT_MS = 10000;
const MAX_BUFFERED_AUDIO_BYTES = 32000; // one second of 16 kHz int16
const AUTH_CLOSE_CODES = new Set([4001, 4003, 4401, 4403]);
const OPEN = 1; // WebSocket.OPEN, and the WebRTC link's open state
const WEBRTC_UNSERVED = new Set([400, 404, 405, 409, 501]); // no WebRTC here (409: nothing to monitor): use the WebSocket

// Seed-era replies may come back without the request id; match them by type then.
const REPLY_TYPES = {
  "describe-config": ["config-available"],
  "get-config": ["config"],
  "update-config": ["config"],
  "describe-actions": ["actions-available"],
  action: ["action-response"],
  "client-message": ["server-response"],
};
const FAILURE_TYPES = new Set(["error-response", "config-error"]);

export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class RequestError extends Error {
  constructor(message, reply) {
    super(message);
    this.reply = reply;
  }
}

export class RtviClient {
  /**
   * `url()` gives the WebSocket URL and `offerUrl()` the WebRTC offer URL, or null for WebSocket only
   * (both re-read at every attempt, so a new token applies); `about` goes into client-ready. Callbacks:
   * onStatus(status, detail), onMessage(msg), onAudio(frame) (WebSocket), onStream(MediaStream) (WebRTC).
   * Status: "connecting" | "ready" | "reconnecting" | "auth-failed" | "stopped".
   */
  constructor({ url, offerUrl = () => null, about, onStatus, onMessage, onAudio, onStream = () => {} }) {
    this.url = url;
    this.offerUrl = offerUrl;
    this.onStream = onStream;
    this.webrtcFailed = false;
    this.about = about;
    this.onStatus = onStatus;
    this.onMessage = onMessage;
    this.onAudio = onAudio;
    this.socket = null;
    this.status = "stopped";
    this.ready = false;
    this.backoffMs = BACKOFF_FIRST_MS;
    this.retryTimer = null;
    this.keepaliveTimer = null;
    this.lastSent = 0;
    this.refusals = 0; // upgrades refused in a row by a server that answers plain HTTP
    this.pending = new Map();
    this.stats = { messagesIn: 0, messagesOut: 0, audioFramesOut: 0, badFrames: 0, connects: 0 };
  }

  setStatus(status, detail = "") {
    this.status = status;
    this.onStatus(status, detail);
  }

  start() {
    if (this.socket || this.retryTimer) return;
    this.backoffMs = BACKOFF_FIRST_MS;
    this.open();
  }

  stop() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, "page closed");
    this.connectionLost("stopped");
    this.setStatus("stopped");
  }

  open() {
    this.retryTimer = null;
    this.setStatus("connecting");
    let socket;
    try {
      const offerUrl = this.webrtcFailed || !WebRtcLink.supported() ? null : this.offerUrl();
      socket = offerUrl ? new WebRtcLink(offerUrl, { onTrack: this.onStream }) : new WebSocket(this.url());
    } catch (error) {
      this.scheduleRetry(`bad server address: ${error.message}`);
      return;
    }
    socket.binaryType = "arraybuffer";
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.stats.connects++;
      this.sendEnvelope(this.envelope("client-ready", { version: PROTOCOL_VERSION, about: this.about }));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return; // stopped or replaced
      this.socket = null;
      this.connectionLost(event.reason || `connection closed (${event.code})`);
      this.closed(event, opened);
    };
    this.socket = socket;
  }

  async closed(event, opened) {
    if (AUTH_CLOSE_CODES.has(event.code) || (event.code === 1008 && /token|auth/i.test(event.reason))) {
      this.setStatus("auth-failed", event.reason || "the device refused the access token");
      return;
    }
    if (opened) this.refusals = 0;
    if (event.refused === 503) {
      this.scheduleRetry(event.reason);
      return;
    }
    if (!opened && event.refused !== undefined) { // WebRTC never came up here: the WebSocket will do
      if (!event.refused || WEBRTC_UNSERVED.has(event.refused)) this.webrtcFailed = true;
      this.scheduleRetry(event.reason);
      return;
    }
    // A refused upgrade (401 before the handshake) shows up as a bare 1006 close: ask over plain HTTP.
    const refusal = opened ? null : await this.probeRefusal();
    if (refusal) {
      this.setStatus("auth-failed", refusal);
      return;
    }
    this.scheduleRetry(event.reason || (opened ? "connection lost" : "server unreachable"));
  }

  /** Why the server refused the upgrade when it looks like the token, else null. */
  async probeRefusal() {
    try {
      const response = await fetch(this.url().replace(/^ws/, "http"), { cache: "no-store" });
      if (response.status === 401 || response.status === 403) return "this device needs a valid access token";
      // A gate that judges only real upgrades answers this probe 426. The server is up, yet it
      // refused the socket: after two such refusals in a row, the token is the likely reason.
      if (response.status === 426 || response.ok) {
        this.refusals++;
        if (this.refusals >= 2) return "the device refused the connection: it may need an access token";
      }
    } catch {
      /* unreachable: an ordinary retry */
    }
    return null;
  }

  scheduleRetry(reason) {
    const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.setStatus("reconnecting", `${reason}; retrying in ${Math.ceil(delay / 1000)} s`);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  connectionLost(reason) {
    this.ready = false;
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RequestError(reason));
    }
    this.pending.clear();
  }

  receive(data) {
    if (!(data instanceof ArrayBuffer)) {
      this.receiveText(data);
      return;
    }
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      this.stats.badFrames++;
      console.warn("rtvi-edge: dropped a malformed frame:", error.message);
      return;
    }
    if (frame.kind === "audio") this.onAudio(frame);
    else if (frame.kind === "message") this.dispatch(frame.message);
  }

  receiveText(text) {
    try {
      this.dispatch(JSON.parse(text));
    } catch {
      this.stats.badFrames++;
    }
  }

  dispatch(message) {
    if (!message || message.label !== LABEL || typeof message.type !== "string") return;
    this.stats.messagesIn++;
    if (message.type === "bot-ready") this.becameReady();
    this.settle(message);
    this.onMessage(message);
  }

  becameReady() {
    this.ready = true;
    this.refusals = 0;
    this.backoffMs = BACKOFF_FIRST_MS;
    this.keepaliveTimer = setInterval(() => this.keepalive(), KEEPALIVE_MS / 3);
    this.setStatus("ready");
  }

  keepalive() {
    if (this.ready && Date.now() - this.lastSent > KEEPALIVE_MS) this.send("client-message", { t: "ping" });
  }

  // Resolve or reject the request this message answers.
  settle(message) {
    let entry = message.id ? this.pending.get(message.id) : undefined;
    if (!entry) {
      for (const candidate of this.pending.values()) {
        if (candidate.replyTypes.includes(message.type) || (!message.id && FAILURE_TYPES.has(message.type))) {
          entry = candidate;
          break;
        }
      }
    }
    if (!entry) return;
    if (!entry.replyTypes.includes(message.type) && !FAILURE_TYPES.has(message.type)) return;
    message.answered = true; // the requester handles it; no need to show it again
    this.pending.delete(entry.id);
    clearTimeout(entry.timer);
    if (FAILURE_TYPES.has(message.type)) {
      const data = message.data || {};
      entry.reject(new RequestError(data.error || data.message || message.type, message));
    } else entry.resolve(message);
  }

  envelope(type, data) {
    const message = { label: LABEL, type, id: newId() };
    if (data !== undefined) message.data = data;
    return message;
  }

  get transport() {
    return this.socket ? this.socket.kind || "websocket" : null;
  }

  sendRaw(data) {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(data);
    this.lastSent = Date.now();
    return true;
  }

  /** One RTVI message: protobuf on the WebSocket, JSON text on the WebRTC data channel. */
  sendEnvelope(message) {
    return this.sendRaw(this.transport === "webrtc" ? JSON.stringify(message) : encodeMessage(message));
  }

  /** Over WebRTC the microphone is a media track on the link; over the WebSocket it goes frame by frame. */
  useMicrophone(track) {
    if (this.transport === "webrtc") this.socket.useMicrophone(track);
  }

  /** Sends an RTVI message; returns its id, or null when not connected. */
  send(type, data) {
    const message = this.envelope(type, data);
    if (!this.ready || !this.sendEnvelope(message)) return null;
    this.stats.messagesOut++;
    return message.id;
  }

  /** Sends a request and resolves with its reply message (rejects on error replies and timeouts). */
  request(type, data, timeoutMs = REQUEST_TIMEOUT_MS) {
    const message = this.envelope(type, data);
    return new Promise((resolve, reject) => {
      if (!this.ready || !this.sendEnvelope(message)) {
        reject(new RequestError("not connected"));
        return;
      }
      this.stats.messagesOut++;
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new RequestError(`no answer to ${type}`));
      }, timeoutMs);
      const replyTypes = REPLY_TYPES[type] || ["server-response"];
      this.pending.set(message.id, { id: message.id, replyTypes, resolve, reject, timer });
    });
  }

  /** Sends one microphone frame (int16 mono PCM as an ArrayBuffer). */
  sendAudio(pcm, sampleRate) {
    if (!this.ready || this.transport === "webrtc") return false;
    // On a congested link, drop audio rather than let it (and the control messages behind it) queue up.
    if (this.socket.bufferedAmount > MAX_BUFFERED_AUDIO_BYTES) return false;
    const sent = this.sendRaw(encodeAudio(new Uint8Array(pcm), sampleRate));
    if (sent) this.stats.audioFramesOut++;
    return sent;
  }
}
