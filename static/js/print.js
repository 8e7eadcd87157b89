// The "Imprimer" button of printable pages (no inline scripts: a strict CSP is on).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
  document.querySelectorAll("[data-print-hint]").forEach((hint) => { hint.hidden = true; });
});
