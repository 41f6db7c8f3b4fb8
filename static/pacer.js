// Frame pacing: the server counts the training frames it sends (`sent`); the page answers with
// the last one it has applied (`shown`), so the server never runs more than a few frames ahead
// of what the page has taken in. Answering as the change is applied (not after painting, which
// waits for an animation frame and paused a hidden tab) keeps the round trip short.
export function render({ model }) {
  model.on("sent", () => { model.shown = model.sent; });
  const el = document.createElement("span");
  el.className = "pacer-ready";
  return el;
}
