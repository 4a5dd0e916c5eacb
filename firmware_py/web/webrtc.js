// RTVI over SmallWebRTC for the kiosk: the same signalling the official clients use (POST /api/offer),
// RTVI JSON on the data channel "chat", the microphone as an Opus track and the bot's voice as a remote
// track. It looks like a WebSocket to RtviClient (onopen, onmessage, onclose, send, close, readyState),
// so the reconnect loop and the request bookkeeping stay in one place.

const ICE_GATHER_MS = 1500; // LAN and loopback candidates come at once; never wait on a dead interface
const KEEPALIVE_MS = 1000; // the daemon closes a peer that goes silent
const CONNECT_TIMEOUT_MS = 10000;
const OPEN = 1;
const CLOSED = 3;

export class OfferRefused extends Error {
  constructor(status, text) {
    super(`${status}: ${text.trim() || "offer refused"}`);
    this.status = status;
  }
}

export class WebRtcLink {
  static supported() {
    return typeof RTCPeerConnection === "function";
  }

  /** `offerUrl` carries the token and mode; `onTrack(MediaStream)` receives the bot's voice. */
  constructor(offerUrl, { onTrack = () => {} } = {}) {
    this.kind = "webrtc";
    this.readyState = 0;
    this.bufferedAmount = 0;
    this.onopen = () => {};
    this.onmessage = () => {};
    this.onclose = () => {};
    this.onTrack = onTrack;
    this.pc = new RTCPeerConnection({ iceServers: [] }); // offline: host candidates only
    this.audio = this.pc.addTransceiver("audio", { direction: "sendrecv" });
    this.channel = this.pc.createDataChannel("chat", { ordered: true });
    this.keepalive = null;
    this.wire();
    this.negotiate(offerUrl).catch((error) => this.fail(error));
  }

  wire() {
    this.pc.ontrack = (event) => this.onTrack(event.streams[0] || new MediaStream([event.track]));
    this.pc.onconnectionstatechange = () => {
      if (["failed", "closed"].includes(this.pc.connectionState)) this.fail(new Error(`connection ${this.pc.connectionState}`));
    };
    this.channel.onopen = () => {
      clearTimeout(this.connectTimer);
      this.readyState = OPEN;
      this.keepalive = setInterval(() => this.channel.readyState === "open" && this.channel.send(`ping: ${Date.now()}`),
        KEEPALIVE_MS);
      this.onopen();
    };
    this.channel.onmessage = (event) => this.onmessage({ data: event.data });
    this.channel.onclose = () => this.fail(new Error("data channel closed"));
    this.connectTimer = setTimeout(() => this.fail(new Error("WebRTC did not connect")), CONNECT_TIMEOUT_MS);
  }

  async negotiate(offerUrl) {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.gathered();
    const { sdp, type } = this.pc.localDescription;
    const response = await fetch(offerUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sdp, type, pc_id: null, restart_pc: false }),
    });
    if (!response.ok) throw new OfferRefused(response.status, await response.text());
    const answer = await response.json();
    await this.pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type });
  }

  /** Resolves when the offer holds its candidates (or after a short wait: what is there is enough). */
  gathered() {
    if (this.pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ICE_GATHER_MS);
      this.pc.addEventListener("icegatheringstatechange", () => {
        if (this.pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** The microphone joins the already negotiated audio transceiver: no renegotiation. */
  useMicrophone(track) {
    this.audio.sender.replaceTrack(track).catch(() => {});
  }

  send(text) {
    if (this.channel.readyState === "open") this.channel.send(text);
  }

  fail(error) {
    if (this.readyState === CLOSED) return;
    const opened = this.readyState === OPEN;
    this.shutdown();
    this.onclose({ code: error.status === 401 || error.status === 403 ? 4401 : 1006, reason: error.message,
                   opened, refused: error instanceof OfferRefused ? error.status : 0 });
  }

  close() {
    this.shutdown();
  }

  shutdown() {
    this.readyState = CLOSED;
    clearTimeout(this.connectTimer);
    clearInterval(this.keepalive);
    this.channel.onclose = null;
    this.pc.onconnectionstatechange = null;
    this.channel.close();
    this.pc.close();
  }
}
