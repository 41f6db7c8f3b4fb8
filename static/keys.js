// Keyboard shortcuts for the lecture hall: the page listens, Python decides what a key does.
// Keys typed into inputs are left alone, so typing a weight never starts training.
export function render({ model }) {
  const handler = (event) => {
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    const tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) {
      return;
    }
    if (!model.keys.includes(event.key)) {
      return;
    }
    event.preventDefault();
    model.send_msg({ key: event.key, shift: event.shiftKey });
  };
  document.addEventListener("keydown", handler);
  model.on("remove", () => document.removeEventListener("keydown", handler));
  const el = document.createElement("span");
  el.className = "keys-ready";
  return el;
}
