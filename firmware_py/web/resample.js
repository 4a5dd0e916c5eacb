// Microphone downsampling for the worklet: float samples at the device rate -> 16 kHz int16 frames.
// Pure code (no Web Audio types), so Node can test it.

// A 6th-order Butterworth low-pass as three biquads, so sound above the new Nyquist does not fold back
// into the speech band (about 25 dB down at 11 kHz for a 16 kHz output, flat below 5 kHz).
class Biquad {
  constructor(cutoff, sampleRate, q) {
    const w0 = (2 * Math.PI * cutoff) / sampleRate;
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    this.b0 = (1 - cos) / 2 / a0;
    this.b1 = (1 - cos) / a0;
    this.b2 = this.b0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }

  step(x) {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

const BUTTERWORTH_Q = [0.5176, 0.7071, 1.9319];
const CUTOFF = 0.42; // of the output rate

export class Downsampler {
  /** Converts a stream at `inputRate` to `outputRate` (low-pass, then linear interpolation). */
  constructor(inputRate, outputRate) {
    this.step = inputRate / outputRate; // input samples per output sample
    this.filters = inputRate > outputRate
      ? BUTTERWORTH_Q.map((q) => new Biquad(CUTOFF * outputRate, inputRate, q))
      : [];
    this.previous = 0;
    this.position = 0; // where the next output sample lies, in input samples after `previous`
  }

  /** Feeds Float32 samples; returns the output samples they complete (a plain array of floats). */
  process(input) {
    const out = [];
    for (let i = 0; i < input.length; i++) {
      let current = input[i];
      for (const filter of this.filters) current = filter.step(current);
      while (this.position <= 1) {
        out.push(this.previous + (current - this.previous) * this.position);
        this.position += this.step;
      }
      this.position -= 1;
      this.previous = current;
    }
    return out;
  }
}

/** Collects float samples into fixed-size int16 frames. */
export class Int16Framer {
  constructor(frameSamples) {
    this.frame = new Int16Array(frameSamples);
    this.filled = 0;
  }

  /** Returns the frames completed by `samples` (each a fresh Int16Array). */
  push(samples) {
    const frames = [];
    for (const sample of samples) {
      const clamped = Math.max(-1, Math.min(1, sample));
      this.frame[this.filled++] = Math.round(clamped * 32767);
      if (this.filled === this.frame.length) {
        frames.push(this.frame);
        this.frame = new Int16Array(this.frame.length);
        this.filled = 0;
      }
    }
    return frames;
  }
}

/** Root-mean-square level of float samples, 0..1. */
export function rms(samples) {
  if (!samples.length) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}
