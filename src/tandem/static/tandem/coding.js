// Coding a document: a selection in the transcript fills the coding form's "from" and "to"
// characters, counted in Unicode code points as REFI-QDA counts them (JavaScript strings count
// UTF-16 units, so an emoji is one character here, not two). Each line of the transcript is a
// <span class="line" data-start="N"> whose first character is character N of the text; an offset
// is the line's start plus the code points before the selection's edge in that line. The form
// works without this script: the fields can be typed. Also colours the coded stretches, since
// the page's Content-Security-Policy allows no style attributes in the markup.
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
};
window.TandemCoding = TandemCoding;

document.addEventListener("DOMContentLoaded", () => {
  for (const mark of document.querySelectorAll("mark.coded[data-colour]")) {
    mark.style.backgroundColor = mark.dataset.colour;
    mark.style.color = mark.dataset.textColour;
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
});
