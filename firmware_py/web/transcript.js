// The conversation as bubbles: one user bubble per user turn (interim text shown apart until the
// final replaces it) and one bot bubble per answer, streamed from whichever bot text arrives.

const BOT_SOURCES = ["llm", "output", "tts"]; // display preference: LLM tokens, else spoken sentences

function joinText(left, right) {
  if (!left) return right;
  if (!right) return left;
  return /\s$/.test(left) || /^[\s,.;:!?)]/.test(right) ? left + right : `${left} ${right}`;
}

class Bubble {
  constructor(log, role, speaker) {
    this.role = role;
    this.element = document.createElement("div");
    this.element.className = `message ${role}`;
    const who = document.createElement("span");
    who.className = "speaker";
    who.textContent = speaker;
    this.text = document.createElement("p");
    this.text.className = "text";
    this.finalPart = document.createElement("span");
    this.finalPart.className = "final";
    this.interimPart = document.createElement("span");
    this.interimPart.className = "interim";
    this.text.append(this.finalPart, this.interimPart);
    this.element.append(who, this.text);
    log.append(this.element);
    this.setPending(true);
  }

  // While text is still changing it stays out of the live region, so a screen reader announces
  // each bubble once, complete, instead of every token.
  setPending(pending) {
    if (pending) this.element.setAttribute("aria-hidden", "true");
    else this.element.removeAttribute("aria-hidden");
    this.element.classList.toggle("pending", pending);
  }

  get finalText() {
    return this.finalPart.textContent;
  }
}

function showSource(bubble, source) {
  let line = bubble.element.querySelector(".source");
  if (!line) {
    line = document.createElement("p");
    line.className = "source";
    bubble.element.append(line);
  }
  line.textContent = source.section ? `From ${source.document}, ${source.section}` : `From ${source.document}`;
}

export class Transcript {
  constructor(log, { onChange = () => {} } = {}) {
    this.log = log;
    this.onChange = onChange;
    this.user = null; // the open user bubble
    this.bot = null; // the open bot bubble
    this.lastBot = null; // the answer just finished, until the user speaks again
    this.botTexts = null; // per-source text of the open bot bubble
    this.pendingSource = null; // an answer's source that came before its first words
  }

  scrollToEnd(wasAtEnd) {
    if (wasAtEnd) this.log.scrollTop = this.log.scrollHeight;
    this.onChange();
  }

  atEnd() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  update(change) {
    const wasAtEnd = this.atEnd();
    this.log.classList.remove("empty");
    change();
    this.scrollToEnd(wasAtEnd);
  }

  // --- user ---------------------------------------------------------------------------------------

  openUser() {
    this.pendingSource = null; // a source never shown belongs to an answer that never came
    if (!this.user) {
      this.closeBot();
      this.lastBot = null;
      this.user = new Bubble(this.log, "user", "You");
    }
    return this.user;
  }

  userInterim(text) {
    this.update(() => {
      const bubble = this.openUser();
      bubble.interimPart.textContent = bubble.finalText ? ` ${text}` : text;
    });
  }

  userFinal(text) {
    this.update(() => {
      const bubble = this.openUser();
      bubble.finalPart.textContent = joinText(bubble.finalText, text.trim());
      bubble.interimPart.textContent = "";
      bubble.setPending(false);
    });
  }

  /** A message typed on this page: shown at once, so the server's echo of it is not repeated. */
  userTyped(text) {
    this.closeUser();
    this.userFinal(text);
    this.user.element.classList.add("typed");
    this.user.typed = true;
  }

  /** The user message as it went into the LLM context: shown only when no bubble carries it yet. */
  userLlmText(text) {
    if (this.user && (this.user.finalText || this.user.typed)) return;
    this.userFinal(text);
  }

  closeUser() {
    if (!this.user) return;
    if (!this.user.finalText) {
      // A turn that ended with only interim text keeps it, marked as unconfirmed.
      const interim = this.user.interimPart.textContent.trim();
      if (interim) this.user.finalPart.textContent = interim;
      else this.user.element.remove();
      this.user.interimPart.textContent = "";
    }
    this.user.setPending(false);
    this.user = null;
  }

  // --- bot ----------------------------------------------------------------------------------------

  openBot() {
    if (!this.bot) {
      this.closeUser();
      this.bot = new Bubble(this.log, "bot", "Assistant");
      this.botTexts = { llm: "", output: "", tts: "" };
      if (this.pendingSource) showSource(this.bot, this.pendingSource);
      this.pendingSource = null;
    }
    return this.bot;
  }

  /** A piece of bot text; `source` is "llm" (streamed tokens), "output" or "tts" (spoken sentences). */
  botText(text, source) {
    if (!text) return;
    this.update(() => {
      const bubble = this.openBot();
      const texts = this.botTexts;
      texts[source] = source === "llm" ? texts.llm + text : joinText(texts[source], text.trim());
      const shown = BOT_SOURCES.map((name) => texts[name]).find(Boolean) || "";
      bubble.finalPart.textContent = shown.trim();
    });
  }

  /** Where the answer came from ({document, section}), shown under it; it may come before the answer. */
  botSource(source) {
    const bubble = this.bot || this.lastBot;
    if (!bubble) this.pendingSource = source;
    else this.update(() => showSource(bubble, source));
  }

  /** An action the assistant took (a timer, a light...), shown in the log where it happened. */
  action(text) {
    this.update(() => {
      const line = document.createElement("p");
      line.className = "action";
      line.textContent = text;
      this.log.append(line);
    });
  }

  /** Marks the current answer as cut short; it may already be closed (bot-stopped-speaking comes first). */
  botInterrupted() {
    const bubble = this.bot || this.lastBot;
    if (!bubble) return;
    this.update(() => bubble.element.classList.add("interrupted"));
    this.closeBot();
  }

  closeBot() {
    if (!this.bot) return;
    if (!this.bot.finalText) this.bot.element.remove();
    this.bot.setPending(false);
    this.lastBot = this.bot.finalText ? this.bot : null;
    this.bot = null;
  }

  /** A quiet line in the log (connection changes). */
  notice(text) {
    this.update(() => {
      this.closeUser();
      this.closeBot();
      const line = document.createElement("p");
      line.className = "notice";
      line.textContent = text;
      this.log.append(line);
    });
  }

  /** Plain-text view of the log for tests and diagnostics. */
  entries() {
    return Array.from(this.log.querySelectorAll(".message")).map((element) => ({
      role: element.classList.contains("user") ? "user" : "bot",
      text: element.querySelector(".final").textContent,
      interim: element.querySelector(".interim").textContent,
      pending: element.classList.contains("pending"),
      interrupted: element.classList.contains("interrupted"),
      source: element.querySelector(".source")?.textContent || "",
    }));
  }
}
