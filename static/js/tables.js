// On a phone a table reads as stacked rows (the table.stacks rules in app.css): each cell
// is labelled with its column's heading from the table's head, here once the page or an
// htmx swap brings the table. A cell spanning columns keeps no label.
"use strict";

function columnHeadings(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) return null;
  const headings = [];
  for (const cell of head.cells) {
    for (let span = 0; span < cell.colSpan; span += 1) headings.push(cell.textContent.trim());
  }
  return headings;
}

function labelTable(table) {
  const headings = columnHeadings(table);
  if (!headings) return;
  const rows = [...table.tBodies].flatMap((body) => [...body.rows]);
  if (table.tFoot) rows.push(...table.tFoot.rows);
  for (const row of rows) {
    let column = 0;
    for (const cell of row.cells) {
      if (!cell.hasAttribute("data-label")) {
        cell.setAttribute("data-label", cell.colSpan > 1 ? "" : headings[column] || "");
      }
      column += cell.colSpan;
    }
  }
  table.classList.add("stacks");
}

function labelTables(root) {
  if (root.matches && root.matches("table")) labelTable(root);
  if (root.querySelectorAll) root.querySelectorAll("table").forEach(labelTable);
}

labelTables(document);
document.addEventListener("htmx:load", (event) => labelTables(event.target));
