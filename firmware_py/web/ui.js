// Small page helpers: toasts, the token store, the connect dialog, the large-text preference.

const TOKEN_KEY = "rtvi-edge.token";
const LARGE_TEXT_KEY = "rtvi-edge.large-text";
const TOAST_MS = 6000;
const MAX_TOASTS = 3;

function stored(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return ""; // storage disabled: the page still works, it just forgets
  }
}

function store(key, value) {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* storage disabled */
  }
}

/** The access token: from `?token=` once (then removed from the address bar), else remembered. */
export function initialToken(params) {
  const fromUrl = params.get("token");
  if (fromUrl !== null) {
    store(TOKEN_KEY, fromUrl);
    params.delete("token");
    const query = params.toString();
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
    return fromUrl;
  }
  return stored(TOKEN_KEY);
}

export function rememberToken(token) {
  store(TOKEN_KEY, token);
}

export class Toasts {
  constructor(container) {
    this.container = container;
    this.recent = [];
  }

  /** Shows `text` for a few seconds; `kind` is "info" or "error". Returns the element. */
  show(text, kind = "info") {
    const toast = document.createElement("div");
    toast.className = `toast ${kind}`;
    toast.textContent = text;
    this.container.append(toast);
    while (this.container.children.length > MAX_TOASTS) this.container.firstElementChild.remove();
    setTimeout(() => toast.remove(), TOAST_MS);
    this.recent.push({ text, kind });
    if (this.recent.length > 50) this.recent.shift();
    return toast;
  }
}

/** The connect dialog: resolves with the token the user typed. */
export function askForToken(dialog, reason) {
  const input = dialog.querySelector("#token-input");
  const show = dialog.querySelector("#token-show");
  dialog.querySelector("#connect-reason").textContent = reason;
  input.value = stored(TOKEN_KEY);
  show.onchange = () => {
    input.type = show.checked ? "text" : "password";
  };
  dialog.querySelector("#token-cancel").onclick = () => dialog.close("cancel");
  return new Promise((resolve) => {
    dialog.onclose = () => {
      if (dialog.returnValue === "connect" && input.value.trim()) resolve(input.value.trim());
      else resolve(null);
    };
    dialog.returnValue = "";
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}

export function initLargeText(checkbox) {
  const apply = (on) => document.documentElement.classList.toggle("large-text", on);
  checkbox.checked = stored(LARGE_TEXT_KEY) === "1";
  apply(checkbox.checked);
  checkbox.addEventListener("change", () => {
    apply(checkbox.checked);
    store(LARGE_TEXT_KEY, checkbox.checked ? "1" : "");
  });
}
