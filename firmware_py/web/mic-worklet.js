// AudioWorklet processor: the microphone at the context's rate -> 16 kHz mono int16, 20 ms frames,
// posted to the main thread as transferable ArrayBuffers together with the frame's level.
import { Downsampler, Int16Framer, rms } from "./resample.js";

class MicCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate = 16000, frameSamples = 320 } = options.processorOptions || {};
    this.downsampler = new Downsampler(sampleRate, targetRate);
    this.framer = new Int16Framer(frameSamples);
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel && channel.length) {
      const samples = this.downsampler.process(channel);
      for (const frame of this.framer.push(samples)) {
        const level = rms(Array.from(frame, (v) => v / 32768));
        this.port.postMessage({ pcm: frame.buffer, level }, [frame.buffer]);
      }
    }
    return true; // keep running while the page holds the node
  }
}

registerProcessor("rtvi-mic-capture", MicCapture);
