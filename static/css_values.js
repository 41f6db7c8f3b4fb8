// BokehJS asks the page's CSS for values the app never sets, at every use: a CSS variable that
// may override each visual's colour (--bk-text-color, --bk-fill-color, ...) and the plot's font
// size (for sizes given in em; the app gives them in px). That was ~2,200 getComputedStyle calls
// in each training frame of the default lesson, most of them forcing a style recalculation because
// painting had just changed a canvas: about a quarter of the page's paint time. Here each value is
// read once per element and kept until a class or inline style changes on the page's own
// elements outside the shadow roots (a theme switch does that on <html>), when all are read again;
// as the app sets neither kind of value, a change inside a shadow root cannot alter them. If a Bokeh upgrade renames what is patched,
// nothing is patched and the page paints as before (tests/ui/test_paint_cost.py then fails).
const MARK = "__bptt_css_values";
let epoch = 0;

function watch() {
  new MutationObserver(() => { epoch += 1; }).observe(document.documentElement,
    { attributes: true, attributeFilter: ["class", "style"], subtree: true });
}

// fn(owner, ...args) once per (owner's element, key) until the page's classes change.
function cached(fn, key) {
  let values = new WeakMap(), at = epoch;
  return function (...args) {
    if (at !== epoch) { values = new WeakMap(); at = epoch; }
    const el = key.element(this);
    let own = values.get(el);
    if (own === undefined) values.set(el, own = new Map());
    const k = key.name(this, ...args);
    let value = own.get(k);
    if (value === undefined && !own.has(k)) own.set(k, value = fn.apply(this, args));
    return value;
  };
}

function patchColours(visual) {
  let proto = visual;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "_get_css_value")) proto = Object.getPrototypeOf(proto);
  if (!proto) return false;
  proto._get_css_value = cached(proto._get_css_value,
    { element: (self) => self.obj.el, name: (self, name) => self.css_prefix + name });
  return true;
}

function patchFontSize(PlotView) {
  const own = Object.getOwnPropertyDescriptor(PlotView.prototype, "base_font_size");
  if (!own || !own.get) return false;
  const get = cached(own.get, { element: (self) => self.el, name: () => "" });
  Object.defineProperty(PlotView.prototype, "base_font_size", { ...own, get });
  return true;
}

// The visuals' class is not exported: reach it through the first plot that paints.
function install() {
  const Plot = window.Bokeh && window.Bokeh.Models && window.Bokeh.Models.get("Plot");
  const PlotView = Plot && Plot.prototype.default_view;
  if (!PlotView || PlotView.prototype[MARK] !== undefined) return;
  PlotView.prototype[MARK] = false;
  watch();
  const fonts = patchFontSize(PlotView);
  const paint = PlotView.prototype.paint;
  PlotView.prototype.paint = function (...args) {
    PlotView.prototype.paint = paint;  // once, patched or not
    const line = this.visuals && this.visuals.outline_line;
    PlotView.prototype[MARK] = fonts && line !== undefined && patchColours(line);
    return paint.apply(this, args);
  };
}

export function render() {
  install();
  const el = document.createElement("span");
  el.className = "css-values";
  return el;
}
