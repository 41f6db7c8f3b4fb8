// Record: films a picture, or the stage (the two network pictures), as a WebM video made in the
// browser (simulator/views/record.py). Bokeh draws each figure on canvas layers (primary, then
// overlays); every animation frame copies them onto one offscreen canvas, whose captureStream()
// feeds a MediaRecorder. A frame per animation frame keeps the live view's rate: the video plays
// the pass as fast or slow as the page showed it. No server work: the file never leaves the page.
// One shared registry on `window` (the stage button and every picture's Record tool use it),
// so a picture's tool finds the lesson's name and a recording outlives a re-rendered button.
const MIME = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];
const NOT_HERE = "This browser cannot record video (it has no MediaRecorder for WebM).";
const ICON = "●";

function mimeType() {
  if (typeof MediaRecorder === "undefined" || !("captureStream" in HTMLCanvasElement.prototype)) return null;
  return MIME.find((t) => MediaRecorder.isTypeSupported(t)) || null;
}

const clock = (ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

// The update the page shows, from the status line's model ("update <n> · loss <value>").
function updateShown(doc) {
  for (const m of doc ? doc.all_models : []) {
    const classes = m.css_classes || [];
    if (classes.includes("status-line") && typeof m.text === "string") {
      const found = m.text.match(/update\s+(\d+)/);
      if (found) return found[1];
    }
  }
  return null;
}

// `<lesson>-<picture>-update<n>.webm`, or `-update<n>-<m>` when training went on while it filmed
// (update n shown at the start, m at the end): a slow-motion pass is one update, training is many.
function fileName(lesson, picture, first, last) {
  const updates = first == null ? null : `update${first}${last != null && last !== first ? `-${last}` : ""}`;
  return [lesson, picture, updates].filter(Boolean).join("-").replace(/[^\w.-]+/g, "_") + ".webm";
}

function download(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.dispatchEvent(new MouseEvent("click"));
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}

// The figures' canvas layers and where they sit on the page (a figure not shown has no box).
function layers(figures) {
  const found = [];
  for (const fig of figures) {
    const view = fig && fig.document ? fig.document.views_manager.find_one(fig) : null;
    const cv = view && view.canvas_view;
    if (!cv) continue;
    const box = cv.el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) found.push({ view, cv, box });
  }
  return found;
}

function background() {
  const style = getComputedStyle(document.documentElement);
  return style.getPropertyValue("--th-bg").trim() || "#ffffff";
}

// The legend below the picture (`legendOf(W)`: {svg, H}, drawn as the PNG/SVG exports draw it) as
// an image the frames copy; loaded asynchronously, so the frames after its load show it.
function legendImage(legendOf, width, loaded) {
  if (!legendOf) return null;
  const { svg, H } = legendOf(width);
  const img = new Image();
  img.onload = loaded;
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  return { img, H };
}

// One recording: `figures()` gives the Bokeh figure models to film, `picture` names the file;
// `legendOf` (or null) draws the pictures' legend, which the video shows below them, as wide as they are.
function record(reg, key, picture, figures, onchange, legendOf) {
  const figs = figures(), shown = layers(figs);
  if (!shown.length) return null;
  const extent = (boxes) => ({ left: Math.min(...boxes.map((l) => l.box.left)), top: Math.min(...boxes.map((l) => l.box.top)),
                               right: Math.max(...boxes.map((l) => l.box.right)), bottom: Math.max(...boxes.map((l) => l.box.bottom)) });
  const first = extent(shown), ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  const legend = legendImage(legendOf, first.right - first.left, () => { dirty = true; });
  // The video's size is fixed at the start (a recorder may stop on a new size; VP8/VP9 want even sides).
  canvas.width = 2 * Math.ceil(((first.right - first.left) * ratio) / 2);
  canvas.height = 2 * Math.ceil(((first.bottom - first.top + (legend ? legend.H : 0)) * ratio) / 2);
  const ctx = canvas.getContext("2d");
  const fill = background();
  // A frame is copied only when a picture has repainted (Bokeh's `repainted` signal), so the video
  // gets the live view's frames, no more: copying both pictures cost ~5 ms a frame in Chromium
  // without a GPU. One frame every half second besides keeps a still picture's time in the video.
  let targets = [], at = first, raf = 0, refreshed = performance.now(), painted = 0, dirty = true;
  const changed = () => { dirty = true; };
  const follow = (next) => {
    for (const { view } of targets) view.repainted.disconnect(changed);
    for (const { view } of next) view.repainted.connect(changed);
    targets = next;
    if (next.length) at = extent(next);
  };
  follow(shown);
  const paint = () => {
    ctx.fillStyle = fill;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const { cv, box } of targets) {
      const x = (box.left - at.left) * ratio, y = (box.top - at.top) * ratio;
      for (const layer of [cv.primary, cv.overlays]) {
        if (layer && layer.canvas.width) ctx.drawImage(layer.canvas, x, y, box.width * ratio, box.height * ratio);
      }
    }
    if (legend && legend.img.complete && legend.img.naturalWidth) {
      const top = (first.bottom - first.top) * ratio;
      ctx.drawImage(legend.img, 0, top, (first.right - first.left) * ratio, legend.H * ratio);
    }
    dirty = false;
    painted = performance.now();
  };
  const stream = canvas.captureStream();
  const recorder = new MediaRecorder(stream, { mimeType: mimeType(), videoBitsPerSecond: 4_000_000 });
  const chunks = [];
  const doc = figs[0].document, lesson = reg.lesson, startUpdate = updateShown(doc);
  const rec = { key, picture, started: performance.now(), recorder, canvas, legend };
  recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
  recorder.onstop = () => {
    cancelAnimationFrame(raf);
    follow([]);
    stream.getTracks().forEach((t) => t.stop());
    rec.name = fileName(lesson, picture, startUpdate, updateShown(doc));
    if (chunks.length) download(new Blob(chunks, { type: "video/webm" }), rec.name);
    reg.recordings.delete(key);
    onchange(null);
  };
  const frame = () => {
    if (recorder.state !== "recording") return;
    const now = performance.now();
    if (now - refreshed > 1000) {  // a picture re-rendered (its tab shown again) has new layers
      const again = layers(figures());
      if (again.length) follow(again);
      refreshed = now;
    }
    if (dirty || now - painted > 500) paint();
    raf = requestAnimationFrame(frame);
  };
  paint();
  recorder.start(1000);
  raf = requestAnimationFrame(frame);
  reg.recordings.set(key, rec);
  return rec;
}

function registry() {
  if (!window.bpttRecord) {
    const reg = { lesson: "", recordings: new Map(), docs: new WeakSet() };
    reg.supported = () => mimeType() != null;
    // Start or stop recording `key`; `onchange(rec or null)` hears each change. Says what it did.
    reg.toggle = (key, picture, figures, onchange, legendOf = null) => {
      const running = reg.recordings.get(key);
      if (running) {
        running.recorder.stop();  // onstop downloads the file, then calls onchange(null)
        return "stopping";
      }
      if (!reg.supported()) return "unsupported";
      const rec = record(reg, key, picture, figures, onchange, legendOf);
      if (rec == null) return "nothing";
      onchange(rec);
      return "started";
    };
    reg.toggle_figure = (fig, filename, tool, legendOf) => toggleFigure(reg, fig, filename, tool, legendOf);
    window.bpttRecord = reg;
  }
  return window.bpttRecord;
}

// A picture's Record tool (views/save_tool.py): its toolbar hides while the pointer is away,
// so a badge at the page's corner shows the time and has its own Stop button.
function toolButton(fig, tool) {
  const view = fig.document ? fig.document.views_manager.find_one(fig.toolbar) : null;
  const button = view ? view.tool_button_views.find((v) => v.model.tool === tool) : null;
  return button ? button.el : null;
}

function toggleFigure(reg, fig, filename, tool, legendOf) {
  const key = `figure-${fig.id}`, b = badge(key);
  if (!reg.supported()) return b.say(NOT_HERE, null);
  let timer = 0;
  const did = reg.toggle(key, filename, () => [fig], (rec) => {
    tool.active = rec != null;  // re-renders the button (its title back to the description)
    const el = toolButton(fig, tool);
    if (el) {
      el.setAttribute("aria-pressed", rec ? "true" : "false");
      el.title = rec ? `Stop recording ${filename} and download the video` : tool.description;
    }
    clearInterval(timer);
    if (rec == null) return b.close();
    const tick = () => b.say(`${ICON} recording ${filename} ${clock(performance.now() - rec.started)}`,
                             () => reg.toggle(key));
    tick();
    timer = setInterval(tick, 250);
  }, legendOf);
  if (did === "nothing") b.say(`Nothing to record: ${filename} is not shown.`, null);
}

// The badges sit in one box at the page's corner, one below the other.
function badge(key) {
  const id = `bptt-record-badge-${key}`;
  let el = document.getElementById(id);
  const close = () => { if (el) el.remove(); el = null; };
  const say = (text, stop) => {
    if (!el) {
      let box = document.getElementById("bptt-record-badges");
      if (!box) {
        box = document.createElement("div");
        box.id = "bptt-record-badges";
        box.style.cssText = "position:fixed;left:12px;bottom:12px;z-index:10000;display:flex;flex-direction:column;gap:6px";
        document.body.append(box);
      }
      el = document.createElement("div");
      el.id = id;
      el.className = "bptt-record-badge";
      el.style.cssText = "padding:6px 10px;border-radius:6px;background:var(--th-surface,#f3f3f3);"
        + "color:var(--th-ink,#1a1a1a);border:2px solid var(--th-danger,#c62828);font:14px sans-serif;"
        + "display:flex;gap:8px;align-items:center";
      el.append(document.createElement("span"), document.createElement("button"));
      box.append(el);
    }
    const [label, button] = el.children;
    label.setAttribute("role", stop ? "timer" : "status");  // a running clock is not read out at every tick
    label.textContent = text;
    button.textContent = stop ? "Stop ■" : "Close";
    button.onclick = stop || close;
  };
  return { say, close };
}

// Keyboard: a picture's toolbar shows only under the pointer (views/save_tool.py), and a hidden
// toolbar's buttons take no focus, so Tab never reached Record (nor PNG, SVG). A picture reached
// with Tab (Bokeh's canvas takes focus) shows its toolbar until focus leaves both. Its buttons get
// role=button: the page's keys (keys.js) then leave Enter on them to the button. Focus events are
// no help here: a move inside the app's one shadow root never reaches the document (target and
// relatedTarget are then the same host), so the page looks where focus went after each Tab key.
function toolbarOf(doc, path) {
  return doc.views_manager.query_one((v) => v.toolbar_view != null && v.plot_view != null
    && v.toolbar_view.model.autohide && (path.includes(v.plot_view.canvas_view.events_el) || path.includes(v.toolbar_view.el)));
}

function deepFocus() {
  const path = [];
  for (let el = document.activeElement; el; el = el.shadowRoot ? el.shadowRoot.activeElement : null) path.push(el);
  return path;
}

function toolbarsFollowFocus(doc) {
  let shown = null;
  const follow = () => setTimeout(() => {  // once focus has moved
    const panel = toolbarOf(doc, deepFocus());
    if (shown && shown !== panel && !shown.plot_view.el.matches(":hover")) shown.toolbar_view.set_visibility(false);
    shown = panel;
    if (panel == null) return;
    panel.toolbar_view.set_visibility(true);
    for (const b of panel.toolbar_view.tool_button_views) {
      b.el.setAttribute("role", "button");
      if ((b.model.tool.tags || []).includes("record") && !b.el.hasAttribute("aria-pressed")) {
        b.el.setAttribute("aria-pressed", "false");
      }
    }
  }, 0);
  document.addEventListener("keydown", (event) => { if (event.key === "Tab") follow(); });
  document.addEventListener("click", () => { if (shown) follow(); });
}

export function render({ model, view }) {
  const reg = registry(), doc = view.model.document;
  if (!reg.docs.has(doc)) { reg.docs.add(doc); toolbarsFollowFocus(doc); }
  reg.lesson = model.lesson;
  model.on("lesson", () => { reg.lesson = model.lesson; });
  const box = document.createElement("span");
  box.className = "record-box";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "record-btn";
  const time = document.createElement("span");
  time.className = "record-clock";
  time.setAttribute("role", "timer");
  box.append(button, time);
  const style = document.createElement("style");
  style.textContent = `.record-box{display:inline-flex;align-items:center;gap:8px;margin:5px 10px}
.record-btn{font:inherit;min-height:31px;padding:4px 12px;border-radius:4px;cursor:pointer;
 border:1px solid var(--th-border,#767676);background:var(--th-surface,#f3f3f3);color:var(--th-ink,#1a1a1a)}
.record-btn[aria-pressed=true]{background:var(--th-danger,#c62828);color:#fff;border-color:var(--th-danger,#c62828)}
.record-btn:focus-visible{outline:3px solid var(--th-focus,#0b5cab);outline-offset:2px}
.record-btn:disabled{cursor:not-allowed;opacity:.8}
.record-clock{color:var(--th-error,#b00020);font-variant-numeric:tabular-nums}`;
  const key = "stage";
  let timer = 0;
  const show = (rec) => {
    clearInterval(timer);
    button.setAttribute("aria-pressed", rec ? "true" : "false");
    button.textContent = rec ? "Stop ■" : `Record ${ICON}`;
    button.title = rec ? "Stop recording and download the video (WebM)"
      : "Record the two network pictures as a video (WebM) while the slow-motion pass or training plays";
    time.textContent = "";
    if (!rec) return;
    const tick = () => { time.textContent = `recording ${clock(performance.now() - rec.started)}`; };
    tick();
    timer = setInterval(tick, 250);
  };
  const figures = () => model.figures.map((name) => doc.get_model_by_name(name));
  // The legend below both pictures, drawn by the code a picture's Record tool runs as a CustomJS
  // (views/record.py's legend_image_js), compiled here as Bokeh compiles a CustomJS's code.
  const legendOf = () => {
    const entries = model.legend_image ? doc.get_model_by_name(model.legend) : null, fig = figures()[0];
    if (entries == null || fig == null) return null;
    return new Function("legend", "fig", `${model.legend_image}\nreturn legend_image`)(entries, fig);
  };
  if (!reg.supported()) {
    button.disabled = true;
    button.textContent = "Record: not in this browser";
    button.title = NOT_HERE;
    time.textContent = NOT_HERE;
  } else {
    show(reg.recordings.get(key) || null);
    button.addEventListener("click", () => {
      if (reg.toggle(key, model.picture, figures, show, legendOf()) === "nothing") {
        time.textContent = "Nothing to record: the pictures are not shown.";
      }
    });
  }
  const wrap = document.createElement("span");
  wrap.append(style, box);
  return wrap;
}
