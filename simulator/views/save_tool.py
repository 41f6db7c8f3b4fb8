"""Save buttons on a picture: PNG (Bokeh's SaveTool) and SVG, both drawn in the browser.

The pictures otherwise hide their toolbar (no pan/zoom a student could drag by accident), so
this shows it only while the pointer is over the figure (autohide) with the two save buttons:
the figure's other tools (hover, tap) stay active but get no button a student could toggle off.

SVG: Bokeh's SaveTool saves whatever the figure is drawn with (``output_backend``), and a figure
drawn as SVG is slow to redraw while training streams frames. Changing ``output_backend`` on
a figure already on the page does nothing (checked in Chromium with Bokeh 3.9: the view keeps
the canvas it was built with, and the SaveTool still saves a PNG). So the SVG button asks the
figure's view to draw itself once into an SVG context, as ``bokeh.io.export_svg`` does, while
the page keeps drawing on the fast canvas.

The net pictures' legend is HTML beside the figures (it wraps; a Bokeh legend cannot), so a plain
SaveTool left it out (issue 20, item 17). Given ``legend`` (a ColumnDataSource of the legend's
labels and SVG swatches, kept by RecurrentView), both buttons add it below the picture in the
browser: SVG as elements appended to the exported SVG, PNG by drawing it under the figure.
"""
from base64 import b64encode

from bokeh.models import CustomAction, CustomJS, SaveTool

from simulator.views.record import record_tool

SVG_ICON = "data:image/svg+xml;base64," + b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 20 20">'
    b'<rect x="1" y="4" width="18" height="12" rx="2" fill="none" stroke="#666" stroke-width="1.4"/>'
    b'<text x="10" y="13.3" font-family="sans-serif" font-size="7.5" font-weight="bold" fill="#666" '
    b'text-anchor="middle">SVG</text></svg>').decode()

# Draw the figure's view once into an SVG context and download it (``fig`` and ``filename`` are args).
SAVE_SVG = """
const view = fig.document == null ? null : fig.document.views_manager.find_one(fig)
if (view == null)
  return
view.export("svg").to_blob().then((blob) => {
  const link = document.createElement("a")
  link.href = URL.createObjectURL(blob)
  link.download = filename + ".svg"
  link.dispatchEvent(new MouseEvent("click"))
  setTimeout(() => URL.revokeObjectURL(link.href), 60000)
})
"""


# The legend below the picture, as an SVG of the picture's width: entries in centred rows that wrap,
# drawn like the HTML legend (30 x 20 swatch, 12pt label). ``legend``, ``fig`` are args; ``W`` the width.
LEGEND_SVG = """
const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
const bg = typeof fig.border_fill_color === "string" ? fig.border_fill_color : "white"
const rgb = /^#([0-9a-f]{6})$/i.test(bg) ? [1, 3, 5].map((k) => parseInt(bg.slice(k, k + 2), 16)) : [255, 255, 255]
const ink = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140 ? "#222222" : "#eeeeee"
const measure = document.createElement("canvas").getContext("2d")
measure.font = "16px sans-serif"
const rows = [[]]
let used = 0
for (let k = 0; k < legend.data.label.length; k++) {
  const w = 35 + measure.measureText(legend.data.label[k]).width
  const row = rows[rows.length - 1]
  if (row.length > 0 && used + 22 + w > W - 16) { rows.push([]); used = 0 }
  const now = rows[rows.length - 1]
  used += (now.length > 0 ? 22 : 0) + w
  now.push([k, w])
}
const H = 12 + 26 * rows.length
let body = `<rect x="0" y="0" width="${W}" height="${H}" fill="${esc(bg)}"/>`
rows.forEach((row, r) => {
  let x = (W - row.reduce((a, e) => a + e[1], 0) - 22 * (row.length - 1)) / 2
  const y = 6 + 26 * r
  for (const [k, w] of row) {
    body += `<g class="net-legend-swatch" transform="translate(${x.toFixed(1)},${y + 3})">${legend.data.swatch[k]}</g>` +
            `<text x="${(x + 35).toFixed(1)}" y="${y + 18}" font-family="sans-serif" font-size="16px" fill="${ink}">` +
            `${esc(legend.data.label[k])}</text>`
    x += w + 22
  }
})
"""

# Save the figure with its legend below (``kind`` "png" or "svg"; ``fig``, ``filename``, ``legend`` are args).
SAVE_WITH_LEGEND = """
const view = fig.document == null ? null : fig.document.views_manager.find_one(fig)
if (view == null)
  return
const download = (blob) => {
  const link = document.createElement("a")
  link.href = URL.createObjectURL(blob)
  link.download = filename + "." + kind
  link.dispatchEvent(new MouseEvent("click"))
  setTimeout(() => URL.revokeObjectURL(link.href), 60000)
}
const W = view.bbox.width
""" + LEGEND_SVG + """
const legend_svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${body}</svg>`
if (kind === "svg") {
  view.export("svg").to_blob().then((blob) => blob.text()).then((text) => {
    const doc = new DOMParser().parseFromString(text, "image/svg+xml")
    const root = doc.documentElement
    const h0 = parseFloat(root.getAttribute("height"))
    root.setAttribute("height", String(h0 + H))
    const box = root.getAttribute("viewBox")
    if (box != null) {
      const v = box.split(/[ ,]+/).map(Number)
      root.setAttribute("viewBox", `${v[0]} ${v[1]} ${v[2]} ${v[3] + H}`)
    }
    const part = new DOMParser().parseFromString(legend_svg, "image/svg+xml").documentElement
    const g = doc.createElementNS("http://www.w3.org/2000/svg", "g")
    g.setAttribute("class", "net-legend")
    g.setAttribute("transform", `translate(0,${h0})`)
    for (const child of Array.from(part.childNodes))
      g.appendChild(doc.importNode(child, true))
    root.appendChild(g)
    download(new Blob([new XMLSerializer().serializeToString(doc)], {type: "image/svg+xml"}))
  })
} else {
  const shot = view.export("png").canvas
  const r = shot.width / W
  const out = document.createElement("canvas")
  out.width = shot.width
  out.height = shot.height + Math.round(H * r)
  const ctx = out.getContext("2d")
  ctx.drawImage(shot, 0, 0)
  const img = new Image()
  img.onload = () => {
    ctx.drawImage(img, 0, shot.height, out.width, out.height - shot.height)
    out.toBlob(download, "image/png")
  }
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(legend_svg)
}
"""


def add_save_tool(fig, filename, legend=None):
    """Give ``fig`` save buttons that download ``filename``.png and ``filename``.svg, and a Record
    button (views/record.py) that films it as a WebM video; call after the
    styling helpers (they set toolbar_location=None) and after the figure's other tools. With
    ``legend`` (a ColumnDataSource with columns label and swatch), both files show it below the
    picture. Returns the figure."""
    for tool in fig.tools:
        tool.visible = False
    svg_text = "Save this picture as SVG (sharp at any size, editable in a vector drawing program)"
    if legend is None:
        png = SaveTool(filename=filename, description="Save this picture as PNG")
        svg = CustomJS(args=dict(fig=fig, filename=filename), code=SAVE_SVG)
    else:
        def saving(kind):
            return CustomJS(args=dict(fig=fig, filename=filename, legend=legend, kind=kind), code=SAVE_WITH_LEGEND)
        png = CustomAction(icon="save", description="Save this picture as PNG (with its legend)", callback=saving("png"))
        svg, svg_text = saving("svg"), svg_text.replace(" (", " with its legend (")
    fig.add_tools(png, CustomAction(icon=SVG_ICON, description=svg_text, callback=svg),
                  record_tool(fig, filename, legend, LEGEND_SVG))
    fig.toolbar_location = "right"
    fig.toolbar.autohide = True
    fig.toolbar.logo = None
    return fig
