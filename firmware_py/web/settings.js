// The settings panel, built from the server's services API: describe-config gives the options and
// their types, get-config their values, update-config applies the changed ones (config-error shows).

// Options shown first, with friendly labels; matched by service and option name.
const FEATURED = [
  { service: "tts", names: ["voice"], label: "Voice", help: "The voice the assistant speaks with." },
  { service: "vad", names: ["stop_secs"], label: "Pause before answering (seconds)",
    help: "How long you must be silent before your turn ends." },
  { service: "llm", names: ["system_prompt"], label: "Assistant instructions",
    help: "The system prompt: who the assistant is and how it answers." },
];

// Options that are request flags or whole conversation state, not settings a person edits here.
const HIDDEN = new Set(["llm.run_on_config", "llm.initial_messages"]);
const SERVICE_NAMES = { tts: "Voice", vad: "Voice detection", turn: "End of turn", stt: "Speech recognition",
  llm: "Language model", conversation: "Conversation", wakeword: "Wake word" };

function featuredFor(service, name) {
  return FEATURED.find((entry) => entry.service === service && entry.names.includes(name));
}

function humanise(name) {
  const words = name.replace(/_secs$/, " (seconds)").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function optionLabel(service, name) {
  return `${SERVICE_NAMES[service] || humanise(service)}: ${humanise(name).toLowerCase()}`;
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One option's input control; `read()` returns the typed value or throws with a message. */
function buildControl(option, value, id) {
  const { type, name } = option;
  const choices = option.choices || option.enum;
  let input;
  if (type === "bool") {
    input = document.createElement("input");
    input.type = "checkbox";
    input.checked = Boolean(value);
    input.className = "switch";
  } else if (Array.isArray(choices) && choices.length) {
    input = document.createElement("select");
    for (const choice of choices) input.append(new Option(String(choice), String(choice)));
    input.value = String(value ?? "");
  } else if (type === "number") {
    input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.value = value ?? "";
  } else if (type === "array" || type === "object") {
    input = document.createElement("textarea");
    input.rows = 4;
    input.value = JSON.stringify(value ?? (type === "array" ? [] : {}), null, 2);
    input.spellcheck = false;
  } else if (/prompt|instructions/.test(name) || String(value ?? "").length > 60) {
    input = document.createElement("textarea");
    input.rows = 5;
    input.value = value ?? "";
  } else {
    input = document.createElement("input");
    input.type = "text";
    input.value = value ?? "";
  }
  input.id = id;
  input.name = id;
  const read = () => {
    if (type === "bool") return input.checked;
    if (type === "number") {
      const number = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(number)) throw new Error("must be a number");
      return number;
    }
    if (type === "array" || type === "object") {
      try {
        return JSON.parse(input.value);
      } catch {
        throw new Error("is not valid JSON");
      }
    }
    return input.value;
  };
  return { input, read };
}

export class SettingsPanel {
  /** `client` is an RtviClient; `elements`: {dialog, form, main, advanced, status, save}. */
  constructor(client, elements) {
    this.client = client;
    this.el = elements;
    this.fields = [];
    this.loaded = false;
    this.el.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
  }

  setStatus(text, kind = "info") {
    this.el.status.textContent = text;
    this.el.status.dataset.kind = kind;
  }

  async load() {
    this.setStatus("Loading settings…");
    this.el.save.disabled = true;
    try {
      const [available, current] = await Promise.all([
        this.client.request("describe-config"),
        this.client.request("get-config"),
      ]);
      this.render(available.data?.config || [], current.data?.config || []);
      this.setStatus("");
      this.el.save.disabled = false;
      this.loaded = true;
    } catch (error) {
      this.setStatus(`Settings are not available: ${error.message}`, "error");
    }
  }

  render(services, values) {
    const valueOf = new Map();
    for (const service of values) {
      for (const option of service.options || []) valueOf.set(`${service.service}.${option.name}`, option.value);
    }
    this.el.main.replaceChildren();
    this.el.advanced.replaceChildren();
    this.fields = [];
    const featured = [];
    const rest = [];
    for (const service of services) {
      for (const option of service.options || []) {
        if (HIDDEN.has(`${service.service}.${option.name}`)) continue;
        const entry = { service: service.service, option, value: valueOf.get(`${service.service}.${option.name}`) };
        (featuredFor(service.service, option.name) ? featured : rest).push(entry);
      }
    }
    featured.sort((a, b) => FEATURED.indexOf(featuredFor(a.service, a.option.name))
      - FEATURED.indexOf(featuredFor(b.service, b.option.name)));
    for (const entry of featured) this.el.main.append(this.row(entry));
    for (const entry of rest) this.el.advanced.append(this.row(entry));
    this.el.advanced.closest("details").hidden = rest.length === 0;
  }

  row({ service, option, value }) {
    const id = `cfg-${service}-${option.name}`;
    const meta = featuredFor(service, option.name);
    const row = document.createElement("div");
    row.className = `field field-${option.type}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = meta ? meta.label : optionLabel(service, option.name);
    const control = buildControl(option, value, id);
    row.append(label, control.input);
    if (meta) {
      const help = document.createElement("p");
      help.className = "help";
      help.id = `${id}-help`;
      help.textContent = meta.help;
      control.input.setAttribute("aria-describedby", help.id);
      row.append(help);
    }
    this.fields.push({ service, name: option.name, original: value, read: control.read, label: label.textContent });
    return row;
  }

  /** The changed options as update-config's `config` list; throws naming a field with a bad value. */
  changes() {
    const byService = new Map();
    for (const field of this.fields) {
      let value;
      try {
        value = field.read();
      } catch (error) {
        throw new Error(`${field.label} ${error.message}`);
      }
      if (sameValue(value, field.original)) continue;
      if (!byService.has(field.service)) byService.set(field.service, []);
      byService.get(field.service).push({ name: field.name, value });
    }
    return Array.from(byService, ([service, options]) => ({ service, options }));
  }

  async save() {
    let config;
    try {
      config = this.changes();
    } catch (error) {
      this.setStatus(error.message, "error");
      return;
    }
    if (!config.length) {
      this.setStatus("Nothing changed.");
      return;
    }
    this.el.save.disabled = true;
    this.setStatus("Saving…");
    try {
      await this.client.request("update-config", { config, interrupt: false });
      await this.load();
      this.setStatus("Saved.", "ok");
    } catch (error) {
      this.setStatus(`Not saved: ${error.message}`, "error");
    } finally {
      this.el.save.disabled = false;
    }
  }
}
