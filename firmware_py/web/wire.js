// The RTVI wire format: every WebSocket message is one binary protobuf `pipecat.Frame`.
// Only the two variants the page needs are encoded: message=4 {data=1} and audio=2
// {id=1, name=2, audio=3, sample_rate=4, num_channels=5, pts=6}. Other variants (text, transcription,
// interruption) are recognised by kind and skipped, as the official client does.

const FRAME_KINDS = { 1: "text", 2: "audio", 3: "transcription", 4: "message", 5: "interruption" };
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export class WireError extends Error {}

// --- encoding -------------------------------------------------------------------------------------

class Writer {
  constructor() {
    this.parts = [];
    this.length = 0;
  }

  bytes(chunk) {
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  varint(value) {
    // Numbers up to 2^53 without 32-bit bit operations, which would overflow.
    const out = [];
    let rest = Math.floor(value);
    while (rest >= 0x80) {
      out.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    out.push(rest);
    this.bytes(Uint8Array.from(out));
  }

  tag(field, wireType) {
    this.varint(field * 8 + wireType);
  }

  lengthDelimited(field, payload) {
    this.tag(field, WIRE_LEN);
    this.varint(payload.length);
    this.bytes(payload);
  }

  // proto3 leaves default values (0, "") out of the encoding.
  uintField(field, value) {
    if (value) {
      this.tag(field, WIRE_VARINT);
      this.varint(value);
    }
  }

  finish() {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/** A Frame{message{data: JSON}} for one RTVI message object. */
export function encodeMessage(message) {
  const inner = new Writer();
  inner.lengthDelimited(1, utf8Encoder.encode(JSON.stringify(message)));
  const frame = new Writer();
  frame.lengthDelimited(4, inner.finish());
  return frame.finish();
}

/** A Frame{audio{...}} carrying int16 little-endian PCM (`pcm` is a Uint8Array or Int16Array). */
export function encodeAudio(pcm, sampleRate, numChannels = 1, name = "audio") {
  const bytes = pcm instanceof Uint8Array ? pcm : new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const inner = new Writer();
  if (name) inner.lengthDelimited(2, utf8Encoder.encode(name));
  inner.lengthDelimited(3, bytes);
  inner.uintField(4, sampleRate);
  inner.uintField(5, numChannels);
  const frame = new Writer();
  frame.lengthDelimited(2, inner.finish());
  return frame.finish();
}

// --- decoding -------------------------------------------------------------------------------------

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  done() {
    return this.pos >= this.bytes.length;
  }

  varint() {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new WireError("truncated varint");
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new WireError("varint longer than 10 bytes");
  }

  take(count) {
    if (count > this.bytes.length - this.pos) throw new WireError("field runs past the end of the frame");
    const out = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  // Yields [fieldNumber, wireType, value]; value is a Number (varint) or a Uint8Array (length-delimited).
  *fields() {
    while (!this.done()) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (field === 0) throw new WireError("field number 0");
      if (wireType === WIRE_VARINT) yield [field, wireType, this.varint()];
      else if (wireType === WIRE_LEN) yield [field, wireType, this.take(this.varint())];
      else if (wireType === WIRE_I64) yield [field, wireType, this.take(8)];
      else if (wireType === WIRE_I32) yield [field, wireType, this.take(4)];
      else throw new WireError(`unsupported wire type ${wireType}`);
    }
  }
}

function decodeText(bytes) {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new WireError("string field is not valid UTF-8");
  }
}

function decodeMessageFrame(bytes) {
  let data = "";
  for (const [field, wireType, value] of new Reader(bytes).fields()) {
    if (field === 1 && wireType === WIRE_LEN) data = decodeText(value);
  }
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    throw new WireError("message frame does not hold JSON");
  }
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    throw new WireError("message frame does not hold a JSON object");
  }
  return { kind: "message", message };
}

function decodeAudioFrame(bytes) {
  const audio = { kind: "audio", id: 0, name: "", pcm: new Uint8Array(0), sampleRate: 0, numChannels: 0 };
  for (const [field, wireType, value] of new Reader(bytes).fields()) {
    if (field === 1 && wireType === WIRE_VARINT) audio.id = value;
    else if (field === 2 && wireType === WIRE_LEN) audio.name = decodeText(value);
    else if (field === 3 && wireType === WIRE_LEN) audio.pcm = value;
    else if (field === 4 && wireType === WIRE_VARINT) audio.sampleRate = value;
    else if (field === 5 && wireType === WIRE_VARINT) audio.numChannels = value;
  }
  return audio;
}

/**
 * Decode one Frame. Returns {kind:"message", message} | {kind:"audio", pcm, sampleRate, ...} |
 * {kind:"text"|"transcription"|"interruption"|"unknown"}. Throws WireError on malformed bytes.
 */
export function decodeFrame(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  let decoded = { kind: "unknown" };
  for (const [field, wireType, value] of new Reader(bytes).fields()) {
    if (wireType !== WIRE_LEN) continue;
    if (field === 4) decoded = decodeMessageFrame(value);
    else if (field === 2) decoded = decodeAudioFrame(value);
    else decoded = { kind: FRAME_KINDS[field] || "unknown" };
  }
  return decoded;
}
