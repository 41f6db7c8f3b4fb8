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
    if (el.classList && el.classList.contains("bk-tab")) return true;  // a tab Bokeh has just redrawn, not yet marked
    if ((PRESSABLE.has(tag) || role === "button") && (event.key === " " || event.key === "Enter")) return true;
  }
  return false;
}

// Bokeh's tab headers are plain divs: give them the tab roles and a roving tabindex, so the detail
// tabs work from the keyboard and a screen reader names them. Run as the page draws and after each
// click or key (the tabs are built after this component, inside shadow roots that a
// MutationObserver on the page cannot see; a timer walking them all would cost every frame).
const soon = () => setTimeout(() => markTabs(document), 50);

function markTabs(root) {
  for (const header of root.querySelectorAll(".bk-header")) {
    const tabs = header.querySelectorAll(".bk-tab");
    if (!tabs.length) continue;
    header.setAttribute("role", "tablist");
    for (const tab of tabs) {
      const active = tab.classList.contains("bk-active");
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", active ? "true" : "false");
      tab.setAttribute("tabindex", active ? "0" : "-1");
    }
  }
  for (const el of root.querySelectorAll("*")) if (el.shadowRoot) markTabs(el.shadowRoot);
}

// Arrows, Enter and Space on a focused tab, heard by the page rather than by each tab: Bokeh
// builds its headers anew whenever a tab's content arrives from the server (the open tab is filled
// once the page has drawn), and listeners on the old headers went with them, so a key pressed
// before the next markTabs did nothing.
function tabKey(event) {
  const path = event.composedPath ? event.composedPath() : [event.target];
  const tab = path.find((el) => el && el.classList && el.classList.contains("bk-tab"));
  if (!tab || !tab.parentNode || event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault(); tab.click(); soon();
  } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    const all = [...tab.parentNode.querySelectorAll(".bk-tab")], k = all.indexOf(tab);
    const next = all[(k + (event.key === "ArrowRight" ? 1 : all.length - 1)) % all.length];
    event.preventDefault(); next.click(); next.focus(); soon();
  }
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
  document.addEventListener("keydown", tabKey);
  const timers = [300, 1500, 4000].map((ms) => setTimeout(() => markTabs(document), ms));
  document.addEventListener("click", soon);
  model.on("remove", () => {
    document.removeEventListener("keydown", handler);
    document.removeEventListener("keydown", tabKey);
    document.removeEventListener("click", soon);
    timers.forEach(clearTimeout);
  });
  const el = document.createElement("span");
  el.className = "keys-ready";
  return el;
}
