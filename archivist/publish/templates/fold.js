// Folding for search, exactly as archivist folds text (archivist/folding.py):
// NFKD, case folded, combining marks removed, a few letters and typography made plain.
// The rules themselves come from folding-rules.js, written from archivist's own tables.
"use strict";
(function () {
  var rules = window.ARCHIVIST_FOLDING;
  var combining = new RegExp(rules.combining, "gu");
  var special = new RegExp("[" + Object.keys(rules.table).join("") + "]", "gu");
  var casefoldKeys = Object.keys(rules.casefold);
  var casefolded = new RegExp("[" + casefoldKeys.join("") + "]", "gu");
  var ascii = /^[\x00-\x7f]*$/;

  // JavaScript lower-cases; the few letters whose case folding differs (ß → ss,
  // final ς → σ) are mapped after it.
  function fold(text) {
    if (ascii.test(text)) {
      return text.toLowerCase();
    }
    var out = text.normalize("NFKD").toLowerCase();
    out = out.replace(casefolded, function (c) { return rules.casefold[c]; });
    out = out.replace(combining, "");
    return out.replace(special, function (c) { return rules.table[c]; });
  }

  window.archivistFold = fold;
})();
