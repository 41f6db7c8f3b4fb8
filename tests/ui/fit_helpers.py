"""Geometry read in the page for the large-type tests: the pictures' titles measured in their
own fonts against their canvases, and the page's controls that lie on one another."""

# Every Bokeh title line (headline and subtitles, multi-line titles line by line) wider than
# the room its figure gives it: [figure name, line, needed px, room px]. A left-aligned title
# starts at the frame's left edge (Bokeh lays it out over the frame) and is cut at the canvas'
# right edge. Widths come from the canvas' own text measure in the title's font.
CUT_TITLES = """() => {
  const doc = Bokeh.documents[0], ctx = document.createElement('canvas').getContext('2d'), cut = [];
  const view = (m) => { for (const r of Bokeh.index) { const v = r.owner.get_one(m); if (v) return v; } return null; };
  for (const fig of doc.all_models) {
    if (!fig.name || !fig.above || fig.title === undefined) continue;
    const v = view(fig);
    if (!v || !v.el.isConnected || v.el.getBoundingClientRect().width === 0) continue;
    const room = v.el.getBoundingClientRect().width - v.frame.bbox.left;
    for (const t of [fig.title, ...fig.above].filter((t) => t && t.text !== undefined && t.visible !== false)) {
      ctx.font = `${t.text_font_style} ${t.text_font_size} ${t.text_font}`;
      for (const line of String(t.text).split('\\n')) {
        const need = ctx.measureText(line).width;
        if (need > room + 0.5) cut.push([fig.name, line, Math.round(need), Math.round(room)]);
      }
    }
  }
  return cut;
}"""

# The page's controls (buttons, inputs, selects, sliders) found through every shadow root, and
# every pair of two widgets whose boxes overlap by more than 1 px each way: [[label, label], ...]
# (each widget is its own shadow root: a spin box's arrows lie on its input by design).
OVERLAPS = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('button, input, select, .noUi-target')) found.push(el);
    for (const h of root.querySelectorAll('*')) if (h.shadowRoot) walk(h.shadowRoot);
  };
  walk(document);
  const boxes = found.map((el) => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 2 && r.height > 2 && getComputedStyle(el).visibility !== 'hidden'
            && el.type !== 'file' && el.checkVisibility());
  const name = (el) => (el.textContent || el.getAttribute('aria-label') || el.className || el.tagName).trim().slice(0, 30);
  const out = [];
  for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
    const [ea, p] = boxes[a], [eb, q] = boxes[b];
    if (ea.getRootNode() === eb.getRootNode()) continue;
    const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (w > 1 && h > 1) out.push([name(ea), name(eb)]);
  }
  return out;
}"""

# The page's width, how many pictures are shown, and each one whose box leaves the viewport:
# {page_width, shown, outside: [[name, left, right], ...]}.
OUTSIDE = """() => {
  const out = [], shown = new Set();
  for (const fig of Bokeh.documents[0].all_models) {
    if (!fig.name || fig.title === undefined || !fig.above) continue;
    for (const r of Bokeh.index) {
      const v = r.owner.get_one(fig), b = v && v.el.isConnected ? v.el.getBoundingClientRect() : null;
      if (!b || b.width === 0 || shown.has(v)) continue;
      shown.add(v);
      if (b.left < -0.5 || b.right > window.innerWidth + 0.5) out.push([fig.name, b.left, b.right]);
    }
  }
  return {page_width: document.documentElement.scrollWidth, shown: shown.size, outside: out};
}"""
