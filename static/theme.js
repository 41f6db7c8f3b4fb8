// The page's theme and the names of its controls (simulator/views/theme.py).
// Theme: the <html> element carries `theme-<name>`; themes.css defines the palette there as
// variables (they inherit into every shadow root and into the tooltips Bokeh puts in <body>)
// and is adopted into every shadow root, where it maps Bokeh's own :host colours to them.
// Names: Bokeh's sliders, spin buttons and checkboxes have no accessible name of their own;
// each gets the one its widget shows (its title), so a screen reader and axe can name it.
// Every shadow root is dressed once it appears, and again when its content changes (a
// MutationObserver on the page cannot see inside shadow roots: each root gets its own).

const THEMES = ["light", "dark", "projector"];
const sheet = new CSSStyleSheet();
const watched = new WeakSet();
let pending = new Set(), scheduled = false;

function titleOf(root) {
  const t = root.querySelector(".bk-slider-title, label, .bk-input-group > span, .bk-label");
  const text = t ? t.textContent.replace(/[:：].*$/s, "").trim() : "";
  if (text) return text;
  const host = root.host;  // no title shown: the widget's CSS class names it (e.g. "time-slider")
  const cls = host && [...host.classList].find((c) => !c.startsWith("bk-") && !c.startsWith("bk"));
  return cls ? cls.replace(/[-_]/g, " ") : "";
}

function name(root) {
  const host = root.host;
  const title = titleOf(root);
  for (const el of root.querySelectorAll('[role="slider"]:not([aria-label])')) {
    if (title) el.setAttribute("aria-label", title);
  }
  for (const el of root.querySelectorAll(".bk-spin-btn:not([aria-label])")) {
    const up = el.classList.contains("bk-spin-btn-up");
    el.setAttribute("aria-label", `${up ? "Increase" : "Decrease"} ${title}`.trim());
  }
  for (const el of root.querySelectorAll('input[type="checkbox"]:not([aria-label])')) {
    const text = (el.parentElement && el.parentElement.textContent.trim()) || title;
    if (text) el.setAttribute("aria-label", text);
  }
  for (const el of root.querySelectorAll("select:not([aria-label])")) {
    if (![...(el.labels || [])].some((l) => l.textContent.trim())) el.setAttribute("aria-label", title || "Choose");
  }
  for (const el of root.querySelectorAll('input[type="file"]:not([aria-label])')) {
    el.setAttribute("aria-label", el.title || "Choose a file");
  }
  // Tabs Bokeh has just redrawn (keys.js gives them focus and keys): a tablist holds only tabs.
  for (const el of root.querySelectorAll('.bk-header .bk-tab:not([role="tab"])')) {
    el.setAttribute("role", "tab");
    el.setAttribute("aria-selected", el.classList.contains("bk-active") ? "true" : "false");
    el.setAttribute("tabindex", el.classList.contains("bk-active") ? "0" : "-1");  // as keys.js: one tab stop
  }
  // The status line (update n, loss) is announced as it changes, politely.
  if (host && host.classList.contains("status-line") && !host.hasAttribute("role")) {
    host.setAttribute("role", "status");
    host.setAttribute("aria-live", "polite");
  }
  // A pane that scrolls (a wide table) must be reachable from the keyboard to be scrolled.
  if (host && /table/.test(host.className) && !host.hasAttribute("tabindex")) {
    host.setAttribute("tabindex", "0");
    host.setAttribute("role", "region");
    host.setAttribute("aria-label", [...host.classList].find((c) => /table/.test(c)).replace(/[-_]/g, " "));
  }
  // Message boxes keep a fixed room and scroll inside it when the text is longer (or larger, in
  // the projector theme), so they too are reached from the keyboard; and they are announced.
  if (host && /\bmessage\b/.test(host.className) && !host.hasAttribute("tabindex")) {
    host.setAttribute("tabindex", "0");
    host.setAttribute("role", "region");
    host.setAttribute("aria-live", "polite");
    host.setAttribute("aria-label", "Message");
  }
}

function dress(root) {
  if (!root.adoptedStyleSheets.includes(sheet)) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }
  if (root !== document) name(root);
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot) {
      if (!watched.has(el.shadowRoot)) {
        watched.add(el.shadowRoot);
        new MutationObserver(() => later(el.shadowRoot)).observe(el.shadowRoot, { childList: true, subtree: true });
      }
      dress(el.shadowRoot);
    }
  }
}

function later(root) {
  pending.add(root);
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    const roots = pending;
    pending = new Set();
    scheduled = false;
    roots.forEach(dress);
    describeFigures();
  }, 30);
}

// Pictures: a canvas says nothing to a screen reader. Each figure is an image named by its
// titles (which carry the time step, the case or the loss), and says where its numbers are.
const NUMBERS = "The weights, activities and derivatives drawn are in the tables of the tabs " +
  "Gradient check & stack and Unit arithmetic & edit; the loss history downloads as CSV.";

function describeFigures() {
  for (const doc of (window.Bokeh && window.Bokeh.documents) || []) {
    for (const m of doc.all_models) {
      if (m.constructor.__name__ !== "Figure") continue;
      const view = doc.views_manager.find_one(m);
      // On the drawing, not the figure: an image's children are hidden from assistive
      // technology, and the figure also holds its toolbar's buttons.
      const el = view && (view.canvas_view ? view.canvas_view.el : view.el);
      if (!el) continue;
      const titles = [m.title, ...m.above, ...m.below].filter((t) => t && typeof t.text === "string" && t.text.trim());
      const text = titles.map((t) => t.text.replace(/\s+/g, " ").trim().replace(/[.:]$/, "")).join(". ");
      const label = `Picture: ${text || m.name || "chart"}. ${NUMBERS}`;
      if (el.getAttribute("aria-label") !== label) {
        el.setAttribute("role", "img");
        el.setAttribute("aria-label", label);
      }
    }
  }
}

// Touch: what a mouse shows by hovering (a weight's or a unit's numbers) a finger shows by
// tapping. Bokeh's hover tools follow pointer moves, and a tap has none; after a touch tap the
// same point gets one move, so the tooltip opens (and the tap has selected as a click does).
function tapShowsHover(event) {
  if (event.pointerType !== "touch" || !event.isPrimary) return;
  const target = event.composedPath()[0], { clientX, clientY } = event;
  setTimeout(() => target.dispatchEvent(new PointerEvent("pointermove", {
    bubbles: true, composed: true, view: window, isPrimary: true, pointerId: 1, pointerType: "mouse", clientX, clientY,
  })), 0);
}

function show(theme) {
  const html = document.documentElement;
  for (const t of THEMES) html.classList.toggle(`theme-${t}`, t === theme);
}

export function render({ model }) {
  sheet.replaceSync(model.css);
  show(model.theme);
  model.on("theme", () => show(model.theme));
  document.addEventListener("pointerup", tapShowsHover, true);
  const body = new MutationObserver(() => later(document));
  body.observe(document.body, { childList: true, subtree: true });
  const timers = [0, 300, 1500, 4000].map((ms) => setTimeout(() => { dress(document); describeFigures(); }, ms));
  model.on("remove", () => {
    body.disconnect();
    timers.forEach(clearTimeout);
    document.removeEventListener("pointerup", tapShowsHover, true);
  });
  const el = document.createElement("span");
  el.className = "theme-ready";
  return el;
}
