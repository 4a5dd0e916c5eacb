// Runs the page's pure modules (wire.js, resample.js) on cases given as JSON on stdin, for the pytest
// cross-checks against the daemon's own protobuf runtime. Prints one JSON object.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The page's files are plain .js served to browsers; Node treats them as ES modules only as .mjs.
const WEB = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "firmware_py", "web");
const scratch = mkdtempSync(join(tmpdir(), "kiosk-modules-"));
async function load(name) {
  const copy = join(scratch, name.replace(/\.js$/, ".mjs"));
  copyFileSync(join(WEB, name), copy);
  return import(pathToFileURL(copy).href);
}
const { decodeFrame, encodeAudio, encodeMessage, WireError } = await load("wire.js");
const { Downsampler, Int16Framer } = await load("resample.js");
rmSync(scratch, { recursive: true, force: true });

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const unhex = (text) => new Uint8Array(Buffer.from(text, "hex"));

function decodeCase(text) {
  try {
    const frame = decodeFrame(unhex(text));
    if (frame.kind === "audio") return { ...frame, pcm: hex(frame.pcm) };
    return frame;
  } catch (error) {
    return { error: error instanceof WireError ? "WireError" : `${error.name}: ${error.message}` };
  }
}

function resampleCase({ inputRate, outputRate, frequency, seconds, chunk }) {
  const total = Math.round(inputRate * seconds);
  const input = Float32Array.from({ length: total }, (_, i) => 0.5 * Math.sin((2 * Math.PI * frequency * i) / inputRate));
  const downsampler = new Downsampler(inputRate, outputRate);
  const framer = new Int16Framer(320);
  const frames = [];
  for (let start = 0; start < total; start += chunk) {
    frames.push(...framer.push(downsampler.process(input.subarray(start, start + chunk))));
  }
  const samples = frames.flatMap((frame) => Array.from(frame));
  return { frameCount: frames.length, samples };
}

const cases = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify({
  messages: (cases.messages || []).map((message) => hex(encodeMessage(message))),
  audio: (cases.audio || []).map(({ pcm, rate, channels }) => hex(encodeAudio(unhex(pcm), rate, channels))),
  decoded: (cases.decode || []).map(decodeCase),
  resampled: (cases.resample || []).map(resampleCase),
}));
