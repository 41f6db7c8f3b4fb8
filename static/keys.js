// Keyboard shortcuts for the lecture hall: the page listens, Python decides what a key does.
// A key pressed while a control has focus belongs to that control: arrows move a focused slider,
// typing goes into a field, Space and Enter press a focused button. Only then is it left alone,
// so moving the learning-rate slider never also steps the pass.
const EDITING = new Set(["input", "textarea", "select"]);
const ROLES = new Set(["slider", "spinbutton", "textbox", "combobox", "listbox", "option", "searchbox",
                       "menu", "menuitem", "radio", "checkbox", "switch", "tab"]);
const PRESSABLE = new Set(["button", "a", "summary"]);

function ownedByControl(event) {
  const path = event.composedPath ? event.composedPath() : [event.target];
  for (const el of path) {
    if (!el || !el.tagName) continue;
    const tag = el.tagName.toLowerCase();
    if (tag === "body" || tag === "html") break;
    const role = el.getAttribute && el.getAttribute("role");
    if (EDITING.has(tag) || el.isContentEditable || (role && ROLES.has(role))) return true;
    if ((PRESSABLE.has(tag) || role === "button") && (event.key === " " || event.key === "Enter")) return true;
  }
  return false;
}

export function render({ model }) {
  const handler = (event) => {
    if (!model.keys.includes(event.key) || event.ctrlKey || event.altKey || event.metaKey || ownedByControl(event)) {
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
