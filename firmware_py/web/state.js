// The conversation state shown by the orb: from the server's `server-message {type:"state"}` when it
// sends one, from the RTVI events otherwise, and overridden by the connection and local mute.

export const STATES = {
  connecting: { label: "Connecting…", hint: "" },
  disconnected: { label: "Disconnected", hint: "" },
  idle: { label: "Ready", hint: "Say the wake word, or hold the button to talk." },
  listening: { label: "Listening", hint: "Go ahead, I'm listening." },
  user_speaking: { label: "Hearing you", hint: "" },
  thinking: { label: "Thinking…", hint: "" },
  speaking: { label: "Speaking", hint: "Speak or press Esc to interrupt." },
  muted: { label: "Muted", hint: "The microphone is off." },
  error: { label: "Something went wrong", hint: "" },
};

// RTVI event -> conversation state it implies.
const EVENT_STATES = {
  "user-started-speaking": "user_speaking",
  "user-stopped-speaking": "thinking",
  "bot-llm-started": "thinking",
  "bot-started-speaking": "speaking",
  "bot-stopped-speaking": "listening",
  "bot-interrupted": "listening",
  "user-mute-started": "muted",
  "user-mute-stopped": "listening",
};

// Server state names outside STATES that mean the same as one of ours.
const ALIASES = { user_turn: "user_speaking", speaking_user: "user_speaking", answering: "thinking", waiting: "idle" };

export class ConversationState {
  constructor(onChange) {
    this.onChange = onChange;
    this.connection = "connecting"; // "connecting" | "ready" | "disconnected"
    this.conversation = "listening";
    this.localMuted = false;
    this.shown = null;
    this.history = [];
  }

  /** A server state name, mapped to ours (unknown names keep the current state). */
  fromServer(name) {
    const state = ALIASES[name] || name;
    if (state in STATES && state !== "connecting" && state !== "disconnected") this.setConversation(state);
  }

  fromEvent(type) {
    if (type in EVENT_STATES) this.setConversation(EVENT_STATES[type]);
  }

  setConversation(state) {
    this.conversation = state;
    this.render();
  }

  setConnection(connection) {
    if (connection !== this.connection) this.conversation = "listening"; // until the server says more
    this.connection = connection;
    this.render();
  }

  setLocalMuted(muted) {
    this.localMuted = muted;
    if (!muted && this.conversation === "muted") this.conversation = "listening";
    this.render();
  }

  current() {
    if (this.connection !== "ready") return this.connection;
    if (this.localMuted && this.conversation !== "speaking" && this.conversation !== "thinking") return "muted";
    return this.conversation;
  }

  render() {
    const state = this.current();
    if (state === this.shown) return;
    this.shown = state;
    this.history.push(state);
    if (this.history.length > 200) this.history.shift();
    this.onChange(state, STATES[state]);
  }
}
