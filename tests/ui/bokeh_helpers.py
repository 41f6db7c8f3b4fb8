"""Reading Bokeh models and clicking data coordinates in the page (shared by the UI tests)."""

# A model by name, from the page's Bokeh document.
MODEL = "(name) => Bokeh.documents[0].get_model_by_name(name)"

# The screen position of data point (x, y) in the figure named `name`: the plot view's own
# scales map data to canvas pixels, then the canvas's rectangle places them on the page.
POINT = """([name, x, y]) => {
  const fig = Bokeh.documents[0].get_model_by_name(name);
  const find = (v) => { if (v.model === fig) return v;
    for (const c of (v.child_views || [])) { const r = find(c); if (r) return r; } return null; };
  for (const root of Object.values(Bokeh.index)) {
    const view = find(root);
    if (view) {
      view.canvas_view.el.scrollIntoView({block: "center"});
      const box = view.canvas_view.el.getBoundingClientRect();
      return [box.x + view.frame.x_scale.compute(x), box.y + view.frame.y_scale.compute(y)];
    }
  }
  return null;
}"""


def column(page, source, key):
    """A column of the browser-side ColumnDataSource named ``source``, as a list."""
    return page.evaluate(f"(n) => Array.from(({MODEL})(n).data['{key}'])", source)


def settled_point(page, figure, x, y):
    """The point's screen position once it is the same in two consecutive animation frames
    (a tab that just opened, or a scroll, may still be moving the figure)."""
    return page.evaluate("""async ([name, x, y]) => {
      const point = %s;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      let last = point([name, x, y]);
      for (let k = 0; k < 60; k++) {
        await frame(); await frame();
        const now = point([name, x, y]);
        if (now && last && now[0] === last[0] && now[1] === last[1]) return now;
        last = now;
      }
      return last;
    }""" % POINT, [figure, x, y])


def click_data(page, figure, x, y):
    """Click the point (x, y), in data coordinates, of the Bokeh figure named ``figure``."""
    px = settled_point(page, figure, x, y)
    assert px is not None, f"figure {figure!r} is not on the page"
    page.mouse.click(px[0], px[1])


def hover_data(page, figure, x, y):
    px = settled_point(page, figure, x, y)
    assert px is not None, f"figure {figure!r} is not on the page"
    page.mouse.move(px[0], px[1])


# Wraps a measuring function (JS source of `() => value`, or null while it cannot measure yet)
# so that it returns the value once it has been the same for `n` polls in a row, else false.
SETTLE = """(n) => {
  const now = (%s)();
  if (now === null) { return false; }
  const key = JSON.stringify(now), w = window.__settle_probe || (window.__settle_probe = {key: null, same: 0});
  w.same = key === w.key ? w.same + 1 : 0;
  w.key = key;
  return w.same >= n ? now : false;
}"""


def settled(page, measure, polls=5, timeout=15_000):
    """The value of the JS function ``measure`` once unchanged for ``polls`` polls 100 ms apart
    (the browser lays out, the server answers, the browser lays out again)."""
    page.evaluate("() => { window.__settle_probe = null; }")
    return page.wait_for_function(SETTLE % measure, arg=polls, polling=100, timeout=timeout).json_value()


# The page rectangle [x, y, width, height] of the figure named `name` (its toolbar included).
FIGURE_BOX = """(name) => {
  const fig = Bokeh.documents[0].get_model_by_name(name);
  const r = fig.document.views_manager.find_one(fig).el.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height];
}"""


def figure_button(page, figure, css):
    """The visible toolbar button matching ``css`` that lies on the figure named ``figure`` (hover the
    figure first: its toolbar hides otherwise). Another figure's toolbar may be showing too, earlier
    in the page, so the first visible match is not enough."""
    x, y, w, h = page.evaluate(FIGURE_BOX, figure)
    # Counted among all matches, not the :visible ones: another figure's toolbar hiding between
    # this search and the click would shift the k-th visible one (seen after a PNG download).
    buttons = page.locator(css)
    for k in range(buttons.count()):
        b = buttons.nth(k).bounding_box()
        if b and x <= b["x"] + b["width"] / 2 <= x + w and y <= b["y"] + b["height"] / 2 <= y + h:
            return buttons.nth(k)
    raise AssertionError(f"no visible {css} on figure {figure!r}")
