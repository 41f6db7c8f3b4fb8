// Frame pacing: the server counts the training frames it sends and tells the page each count as a
// message of the frame itself; the page answers with it (`shown`), so the server never runs more
// than a few frames ahead of what the page has taken in. Answering as the message is applied (not
// after painting, which waits for an animation frame and paused a hidden tab) keeps the round trip short.
export function render({ model }) {
  model.on("msg:custom", (sent) => { model.shown = sent; });
  const el = document.createElement("span");
  el.className = "pacer-ready";
  return el;
}
