/* The story list: "Being edited by ..." in the row of each story someone is
   editing (templates/editing/tags/now_editing.html lists them above too). */
(function () {
  "use strict";

  function mark() {
    const script = document.getElementById("editing-now-data");
    if (!script) return;
    const marks = JSON.parse(script.textContent);
    for (const checkbox of document.querySelectorAll("#result_list input.action-select")) {
      const text = marks[checkbox.value];
      if (!text) continue;
      const row = checkbox.closest("tr");
      const cell = row && (row.querySelector(".field-headline") || row.querySelector("th"));
      if (!cell || cell.querySelector(".editing-mark")) continue;
      const badge = document.createElement("span");
      badge.className = "editing-mark";
      badge.textContent = text;
      cell.append(badge);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
