// Search as you type, in the browser: every word of the query must occur in a record's
// folded title, subtitle, creators, summary or tags.  Results are built as DOM nodes
// with textContent, so no record text is ever parsed as HTML.
"use strict";
(function () {
  var LIMIT = 100;
  var fold = window.archivistFold;
  // See archivist/publish/searchindex.py: [id, title, kind, date, other words,
  // [creators], [tags]], the last two numbering the index's tables.
  var index = window.ARCHIVIST_INDEX;
  var entries = index.records;
  var named = function (table, numbers) {
    return numbers.map(function (n) { return table[n]; }).join("\x1f");
  };
  var folded = entries.map(function (e) {
    return fold([e[1], e[4], named(index.creators, e[5]), named(index.tags, e[6])].join("\x1f"));
  });
  var input = document.getElementById("search");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");

  function item(entry) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = "records/" + encodeURIComponent(entry[0]) + ".html";
    var bdi = document.createElement("bdi");
    bdi.textContent = entry[1] || entry[0];
    a.appendChild(bdi);
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = index.kinds[entry[2]] + (entry[3] ? " · " + entry[3] : "");
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(meta);
    return li;
  }

  function search() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    results.replaceChildren();
    if (!words.length) {
      status.textContent = "";
      return;
    }
    var found = 0;
    for (var i = 0; i < entries.length; i++) {
      var text = folded[i];
      if (words.every(function (w) { return text.indexOf(w) !== -1; })) {
        found++;
        if (found <= LIMIT) {
          results.appendChild(item(entries[i]));
        }
      }
    }
    status.textContent = found === 0 ? "No record matches." :
      found + (found === 1 ? " record" : " records") +
      (found > LIMIT ? ", the first " + LIMIT + " shown." : ".");
  }

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
  });
  input.addEventListener("input", search);
  search();
})();
