// Coding a document: a selection in the transcript fills the coding form's "from" and "to"
// characters, counted in Unicode code points as REFI-QDA counts them (JavaScript strings count
// UTF-16 units, so an emoji is one character here, not two). Each line of the transcript is a
// <span class="line" data-start="N"> whose first character is character N of the text; an offset
// is the line's start plus the code points before the selection's edge in that line. The form
// works without this script: the fields can be typed. Also colours the coded stretches, since
// the page's Content-Security-Policy allows no style attributes in the markup, and draws the
// margin bars beside each coded line (data-colours on the line, one bar per code colour).
// Keys: with the text focused, s / S select the next / previous sentence and p / P the next /
// previous paragraph; anywhere outside a text field, 1 to 9 apply the first nine codes listed
// (after the search box's filter) to the selection.
"use strict";

const TandemCoding = {
  /** Code points in the first `units` UTF-16 units of `text`. */
  codePoints(text, units) {
    return Array.from(text.slice(0, units)).length;
  },

  /** The character offset (code points) of a boundary point inside the transcript, or null. */
  offsetOf(transcript, node, offset) {
    if (!transcript.contains(node)) {
      return null;
    }
    let element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const line = element ? element.closest(".line") : null;
    const range = document.createRange();
    if (line && transcript.contains(line)) {
      range.setStart(line, 0);
      range.setEnd(node, offset);
      const before = range.toString();
      return Number(line.dataset.start) + this.codePoints(before, before.length);
    }
    // Between two lines (on the line break itself): count from the start of the text.
    range.setStart(transcript, 0);
    range.setEnd(node, offset);
    const before = range.toString();
    return this.codePoints(before, before.length);
  },

  /** {start, end} of a selection range in the transcript, or null when it reaches outside. */
  rangeOffsets(transcript, range) {
    const start = this.offsetOf(transcript, range.startContainer, range.startOffset);
    const end = this.offsetOf(transcript, range.endContainer, range.endOffset);
    if (start === null || end === null) {
      return null;
    }
    return { start, end };
  },

  /** The [start, end) stretches (code points) of the sentences or the paragraphs of `text`. */
  units(text, kind) {
    const chars = Array.from(text);
    const found = [];
    let start = 0;
    const close = (end) => {
      let a = start;
      let b = end;
      while (a < b && /\s/u.test(chars[a])) a += 1;
      while (b > a && /\s/u.test(chars[b - 1])) b -= 1;
      if (b > a) found.push({ start: a, end: b });
      start = end;
    };
    for (let i = 0; i < chars.length; i += 1) {
      if (chars[i] === "\n") {
        close(i);
        start = i + 1;
      } else if (kind === "sentence" && /[.!?…]/u.test(chars[i]) && (i + 1 >= chars.length || /\s/u.test(chars[i + 1]))) {
        close(i + 1);
      }
    }
    close(chars.length);
    return found;
  },

  /** The unit after (forward) or before the current stretch, or the first / last one. */
  step(units, current, forward) {
    if (units.length === 0) return null;
    if (current === null) return forward ? units[0] : units[units.length - 1];
    if (forward) {
      return units.find((u) => u.start >= current.end) || units.find((u) => u.start > current.start) || null;
    }
    const before = units.filter((u) => u.start < current.start);
    return before.length ? before[before.length - 1] : null;
  },

  /** The DOM boundary point (text node, UTF-16 offset) of a code-point offset in the transcript:
   * at a node boundary, the end of the node before when `atEnd`, else the start of the next. */
  pointAt(transcript, offset, atEnd) {
    const walker = document.createTreeWalker(transcript, NodeFilter.SHOW_TEXT);
    let seen = 0;
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const points = Array.from(node.data);
      if (seen + points.length > offset || (atEnd && seen + points.length === offset)) {
        return { node, offset: points.slice(0, offset - seen).join("").length };
      }
      seen += points.length;
      last = node;
    }
    return last ? { node: last, offset: last.data.length } : null;
  },
};
window.TandemCoding = TandemCoding;

document.addEventListener("DOMContentLoaded", () => {
  for (const mark of document.querySelectorAll("mark.coded[data-colour]")) {
    mark.style.backgroundColor = mark.dataset.colour;
    mark.style.color = mark.dataset.textColour;
  }
  for (const line of document.querySelectorAll(".transcript .line[data-colours]")) {
    const colours = line.dataset.colours.split(" ").filter((c) => /^#[0-9a-fA-F]{6}$/.test(c));
    line.style.backgroundImage = colours.map((c) => `linear-gradient(${c}, ${c})`).join(", ");
    line.style.backgroundPosition = colours.map((_, i) => `calc(2.9rem + ${i * 5}px) 0`).join(", ");
  }
  const transcript = document.getElementById("transcript");
  const form = document.getElementById("coding-form");
  if (!transcript || !form) {
    return;
  }
  const startField = form.querySelector("[name=start]");
  const endField = form.querySelector("[name=end]");
  const preview = document.getElementById("selection-preview");
  const length = Number(form.dataset.length);
  const take = () => {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    const range = selection.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== transcript) {
      if (transcript.contains(range.startContainer) || transcript.contains(range.endContainer)) {
        preview.textContent = form.dataset.outside;
      }
      return;
    }
    const found = TandemCoding.rangeOffsets(transcript, range);
    if (found === null || found.start < 0 || found.end > length || found.end <= found.start) {
      preview.textContent = form.dataset.outside;
      return;
    }
    startField.value = String(found.start);
    endField.value = String(found.end);
    const text = range.toString();
    preview.textContent = text.length > 120 ? `${text.slice(0, 119)}…` : text;
  };
  transcript.addEventListener("mouseup", take);
  transcript.addEventListener("keyup", take);
  transcript.addEventListener("touchend", take);

  // Sentence and paragraph selection with the keyboard.
  const text = Array.from(transcript.textContent).slice(0, length).join("");
  const cache = {};
  transcript.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const kinds = { s: "sentence", p: "paragraph" };
    const kind = kinds[event.key.toLowerCase()];
    if (!kind) return;
    event.preventDefault();
    cache[kind] = cache[kind] || TandemCoding.units(text, kind);
    const current = startField.value !== "" && endField.value !== ""
      ? { start: Number(startField.value), end: Number(endField.value) } : null;
    const next = TandemCoding.step(cache[kind], current, event.key === event.key.toLowerCase());
    if (next === null) return;
    const from = TandemCoding.pointAt(transcript, next.start, false);
    const to = TandemCoding.pointAt(transcript, next.end, true);
    const range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    startField.value = String(next.start);
    endField.value = String(next.end);
    const piece = Array.from(text).slice(next.start, next.end).join("");
    preview.textContent = piece.length > 120 ? `${piece.slice(0, 119)}…` : piece;
  });

  // The code list: a search box that filters it, and keys 1 to 9 for the first nine shown.
  const filter = document.getElementById("code-filter");
  const options = Array.from(form.querySelectorAll("#code-options li[data-name]"));
  const number = () => {
    let n = 0;
    for (const item of options) {
      const box = item.querySelector("input");
      const mark = item.querySelector(".shortcut");
      if (!item.hidden && n < 9) {
        n += 1;
        box.setAttribute("aria-keyshortcuts", String(n));
        mark.textContent = `${n} `;
      } else {
        box.removeAttribute("aria-keyshortcuts");
        mark.textContent = "";
      }
    }
  };
  if (filter) {
    filter.hidden = false;
    form.querySelector(".code-filter-label").hidden = false;
    filter.addEventListener("input", () => {
      const wanted = filter.value.trim().toLowerCase();
      for (const item of options) {
        item.hidden = wanted !== "" && !item.dataset.name.includes(wanted);
      }
      number();
    });
  }
  number();
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || !/^[1-9]$/.test(event.key)) return;
    const target = event.target;
    if (target.closest("textarea, select, [contenteditable]") || (target.matches("input") && !["checkbox", "radio", "submit", "button"].includes(target.type))) {
      return;
    }
    const shown = options.filter((item) => !item.hidden);
    const chosen = shown[Number(event.key) - 1];
    if (!chosen) return;
    event.preventDefault();
    if (startField.value === "" || endField.value === "") {
      preview.textContent = form.dataset.noSelection;
      return;
    }
    for (const item of options) item.querySelector("input").checked = item === chosen;
    form.requestSubmit();
  });
});
