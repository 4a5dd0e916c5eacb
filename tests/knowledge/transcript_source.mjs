// Runs the kiosk's Transcript (firmware_py/web/transcript.js) on a tiny DOM stand-in and prints, as JSON,
// the bubbles after an answer whose source arrives before, during and after its words.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

class Element {
  constructor(tag) {
    this.tag = tag;
    this.children = [];
    this.className = "";
    this.textValue = "";
    this.attributes = {};
    this.classList = {
      add: (name) => { this.className = `${this.className} ${name}`.trim(); },
      remove: (name) => { this.className = this.className.split(" ").filter((c) => c !== name).join(" "); },
      toggle: (name, on) => (on ? this.classList.add(name) : this.classList.remove(name)),
      contains: (name) => this.className.split(" ").includes(name),
    };
  }
  get textContent() { return this.textValue + this.children.map((c) => c.textContent).join(""); }
  set textContent(value) { this.textValue = value; this.children = []; }
  append(...nodes) { this.children.push(...nodes); }
  remove() {}
  setAttribute(name, value) { this.attributes[name] = value; }
  removeAttribute(name) { delete this.attributes[name]; }
  querySelectorAll(selector) {
    const name = selector.replace(/^\./, "");
    const found = [];
    const walk = (node) => node.children.forEach((c) => { if (c.classList.contains(name)) found.push(c); walk(c); });
    walk(this);
    return found;
  }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
}
globalThis.document = { createElement: (tag) => new Element(tag) };

const WEB = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "firmware_py", "web");
const scratch = mkdtempSync(join(tmpdir(), "kiosk-transcript-"));
copyFileSync(join(WEB, "transcript.js"), join(scratch, "transcript.mjs"));
const { Transcript } = await import(pathToFileURL(join(scratch, "transcript.mjs")).href);
rmSync(scratch, { recursive: true, force: true });

const log = new Element("div");
Object.assign(log, { scrollHeight: 0, scrollTop: 0, clientHeight: 0 });
const transcript = new Transcript(log);
const source = { document: "museum.md", section: "Wi-Fi" };
transcript.userFinal("What's the wifi password?");
transcript.botSource(source); // before the answer's words
transcript.botText("The password is Tide-4412.", "output");
transcript.closeBot();
transcript.userFinal("And the opening hours?");
transcript.botText("We open at 10 am.", "output");
transcript.botSource({ document: "museum.md", section: "" }); // while it speaks
transcript.closeBot();
transcript.userFinal("Tell me a joke.");
transcript.botSource(source); // an answer that never came: not shown on the next one
transcript.userFinal("Please?");
transcript.botText("Sorry, I don't have that information.", "output");
transcript.closeBot();
console.log(JSON.stringify(transcript.entries().filter((e) => e.role === "bot")));
