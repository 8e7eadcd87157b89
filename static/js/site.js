// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Show the diet notes field only when "other" is chosen.
  document.querySelectorAll("[data-diet-form]").forEach((form) => {
    const notes = form.querySelector("[data-diet-notes]");
    if (!notes) return;
    const update = () => {
      const other = form.querySelector('input[name="diet"][value="other"]');
      notes.hidden = !(other && other.checked);
    };
    form.querySelectorAll('input[name="diet"]').forEach((r) => r.addEventListener("change", update));
    update();
  });
  // Ask before cancelling a seat.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Language selector: switch on change.
  const language = document.getElementById("language-select");
  if (language) language.addEventListener("change", () => language.form.submit());
  // The user menu (a <details>): close it on a click elsewhere or on Escape.
  document.querySelectorAll("details[data-user-menu]").forEach((menu) => {
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
});
