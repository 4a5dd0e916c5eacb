// Bot audio: int16 mono chunks scheduled back to back on an AudioContext, behind a small jitter
// buffer, and dropped at once on barge-in.

export const BOT_RATE = 24000;

export class Player {
  constructor({ sampleRate = BOT_RATE, jitterSecs = 0.12, onPlayingChange = () => {} } = {}) {
    this.sampleRate = sampleRate;
    this.jitterSecs = jitterSecs;
    this.onPlayingChange = onPlayingChange;
    this.context = null;
    this.analyser = null;
    this.sources = new Set();
    this.nextStart = 0;
    this.carry = null; // an odd trailing byte waiting for its partner
    this.stats = { bytesReceived: 0, chunksReceived: 0, chunksScheduled: 0, secondsScheduled: 0, clears: 0 };
  }

  get playing() {
    return this.sources.size > 0;
  }

  get suspended() {
    return !this.context || this.context.state !== "running";
  }

  /** Creates the context; call early, and `resume()` from a user gesture if autoplay is blocked. */
  ensureContext() {
    if (this.context) return this.context;
    try {
      // At the bot's own rate, chunks join sample-exactly; the context resamples once to the device.
      this.context = new AudioContext({ sampleRate: this.sampleRate, latencyHint: "interactive" });
    } catch {
      this.context = new AudioContext({ latencyHint: "interactive" });
    }
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 512;
    this.analyser.connect(this.context.destination);
    return this.context;
  }

  resume() {
    const context = this.ensureContext();
    if (context.state === "suspended") return context.resume().catch(() => {});
    return Promise.resolve();
  }

  /** Queues one chunk of int16 little-endian PCM (a Uint8Array view). */
  enqueue(bytes, sampleRate) {
    this.stats.bytesReceived += bytes.length;
    this.stats.chunksReceived++;
    const samples = this.toFloat(bytes);
    if (!samples.length) return;
    const context = this.ensureContext();
    const buffer = context.createBuffer(1, samples.length, sampleRate || this.sampleRate);
    buffer.copyToChannel(samples, 0);
    const now = context.currentTime;
    if (this.nextStart < now + 0.01) this.nextStart = now + this.jitterSecs; // (re)start: fill the buffer
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.analyser);
    source.onended = () => this.finished(source);
    source.start(this.nextStart);
    this.nextStart += buffer.duration;
    this.stats.chunksScheduled++;
    this.stats.secondsScheduled += buffer.duration;
    const wasPlaying = this.playing;
    this.sources.add(source);
    if (!wasPlaying) this.onPlayingChange(true);
  }

  toFloat(bytes) {
    let data = bytes;
    if (this.carry !== null) {
      data = new Uint8Array(bytes.length + 1);
      data[0] = this.carry;
      data.set(bytes, 1);
      this.carry = null;
    }
    if (data.length % 2) {
      this.carry = data[data.length - 1];
      data = data.subarray(0, data.length - 1);
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const samples = new Float32Array(data.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    return samples;
  }

  finished(source) {
    if (!this.sources.delete(source)) return;
    if (!this.playing) this.onPlayingChange(false);
  }

  /** Drops everything queued or playing, now. */
  clear() {
    this.carry = null;
    this.nextStart = 0;
    if (!this.sources.size) return;
    this.stats.clears++;
    for (const source of this.sources) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        /* never started */
      }
    }
    this.sources.clear();
    this.onPlayingChange(false);
  }

  /** The bot's voice as a WebRTC track: an audio element plays it; a tap measures its level. */
  playStream(stream) {
    if (this.element) this.element.srcObject = null;
    this.element = new Audio();
    this.element.autoplay = true;
    this.element.srcObject = stream;
    this.element.play().catch(() => {}); // held until a touch, like the Web Audio context
    this.stats.streams = (this.stats.streams || 0) + 1;
    try {
      const context = this.ensureContext();
      this.streamTap?.disconnect();
      this.streamTap = context.createAnalyser(); // not connected onwards: the element is what plays
      context.createMediaStreamSource(stream).connect(this.streamTap);
    } catch {
      this.streamTap = null; // a browser that cannot tap a stream at another rate: no level animation
    }
  }

  /** Output level 0..1 for the speaking animation. */
  level() {
    const analyser = this.playing ? this.analyser : this.streamTap;
    if (!analyser) return 0;
    const data = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const s of data) sum += s * s;
    return Math.sqrt(sum / data.length);
  }
}
