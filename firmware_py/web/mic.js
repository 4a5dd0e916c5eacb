// The browser microphone as a stream of 20 ms, 16 kHz mono int16 frames.

export const MIC_RATE = 16000;
export const MIC_FRAME_SAMPLES = 320; // 20 ms

export class MicUnavailable extends Error {}

/** Why getUserMedia failed, in words a kiosk user can act on. */
function explain(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return "microphone permission was refused";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "no microphone was found";
  if (name === "NotReadableError") return "the microphone is in use by another program";
  return (error && error.message) || String(error);
}

export class Microphone {
  /** `onFrame(ArrayBuffer pcm16, level)` receives every frame; the caller decides whether to send it. */
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.context = null;
    this.stream = null;
    this.framesCaptured = 0;
  }

  get running() {
    return this.context !== null;
  }

  /** True while the browser holds the capture back until the user touches the page (autoplay rules). */
  get suspended() {
    return this.context !== null && this.context.state === "suspended";
  }

  async start() {
    if (this.running) return;
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new MicUnavailable("the microphone needs https:// or localhost");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (error) {
      throw new MicUnavailable(explain(error));
    }
    try {
      await this.connect();
    } catch (error) {
      this.stop();
      throw new MicUnavailable(`audio capture failed: ${explain(error)}`);
    }
  }

  async connect() {
    // Any context rate works: the worklet low-passes and downsamples to 16 kHz itself, because some
    // browsers refuse to connect a microphone to a context running at another rate.
    this.context = new AudioContext({ latencyHint: "interactive" });
    await this.context.audioWorklet.addModule(new URL("mic-worklet.js", import.meta.url));
    const source = this.context.createMediaStreamSource(this.stream);
    const node = new AudioWorkletNode(this.context, "rtvi-mic-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: "explicit",
      processorOptions: { targetRate: MIC_RATE, frameSamples: MIC_FRAME_SAMPLES },
    });
    node.port.onmessage = (event) => {
      this.framesCaptured++;
      this.onFrame(event.data.pcm, event.data.level);
    };
    source.connect(node);
    if (this.context.state === "suspended") await this.context.resume().catch(() => {});
  }

  /** Resume after an autoplay block (called from a user gesture). */
  resume() {
    if (this.suspended) return this.context.resume().catch(() => {});
    return Promise.resolve();
  }

  stop() {
    if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
    if (this.context) this.context.close().catch(() => {});
    this.stream = null;
    this.context = null;
  }
}
