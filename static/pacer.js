// Frame pacing: the server counts the training frames it sends (`sent`); the page answers with
// the last one it has applied and had a chance to paint (`shown`), so the server never runs
// more than a couple of frames ahead of what the student sees. A hidden tab paints nothing
// (and pauses animation frames), so it answers at once and training goes on behind it.
export function render({ model }) {
  const answer = () => {
    if (document.hidden) {
      model.shown = model.sent;
    } else {
      requestAnimationFrame(() => { model.shown = model.sent; });
    }
  };
  model.on("sent", answer);
  const el = document.createElement("span");
  el.className = "pacer-ready";
  return el;
}
