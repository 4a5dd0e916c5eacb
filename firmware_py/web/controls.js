// The big buttons: hold-to-talk (pointer, Space/Enter on the button, or Space anywhere outside a
// text field) and the mute toggle (click or M). They report intents; the app talks to the server.

function isTyping(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export class Controls {
  constructor({ talk, talkLabel, mute, muteLabel }, { onTalk, onMute, onShortcut = () => {} }) {
    this.talk = talk;
    this.talkLabel = talkLabel;
    this.mute = mute;
    this.muteLabel = muteLabel;
    this.onTalk = onTalk;
    this.onMute = onMute;
    this.onShortcut = onShortcut;
    this.pressed = false;
    this.muted = false;
    this.bindTalk();
    this.mute.addEventListener("click", () => this.toggleMute());
    this.bindKeyboard();
  }

  bindTalk() {
    const talk = this.talk;
    talk.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      talk.setPointerCapture(event.pointerId);
      this.press();
    });
    for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
      talk.addEventListener(type, () => this.release());
    }
    talk.addEventListener("keydown", (event) => {
      if (event.key !== " " && event.key !== "Enter") return;
      event.preventDefault(); // no click, no scroll
      if (!event.repeat) this.press();
    });
    talk.addEventListener("keyup", (event) => {
      if (event.key === " " || event.key === "Enter") this.release();
    });
    talk.addEventListener("click", (event) => event.preventDefault());
    window.addEventListener("blur", () => this.release());
  }

  bindKeyboard() {
    window.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector("dialog[open]")) return;
      if (event.key === " " && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        if (!event.repeat) this.press();
      } else if (event.key === "m" || event.key === "M") {
        this.toggleMute();
      } else {
        this.onShortcut(event);
      }
    });
    window.addEventListener("keyup", (event) => {
      if (event.key === " ") this.release();
    });
  }

  press() {
    if (this.pressed || this.talk.disabled) return;
    this.pressed = true;
    this.talk.classList.add("pressed");
    this.talkLabel.textContent = "Listening… release to send";
    this.onTalk(true);
  }

  release() {
    if (!this.pressed) return;
    this.pressed = false;
    this.talk.classList.remove("pressed");
    this.talkLabel.textContent = "Hold to talk";
    this.onTalk(false);
  }

  toggleMute() {
    this.setMuted(!this.muted);
    this.onMute(this.muted);
  }

  /** Shows the mute state (also when the server reports it) without reporting it back. */
  setMuted(muted) {
    this.muted = muted;
    this.mute.setAttribute("aria-pressed", String(muted));
    this.muteLabel.textContent = muted ? "Unmute" : "Mute";
  }
}
