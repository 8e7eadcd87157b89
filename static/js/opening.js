// The countdown to the opening of the registrations (templates/events/_opening.html).
// The page works without it: it says when the registrations open, in words.
// The times come from data attributes (no inline script: the CSP forbids them), in
// milliseconds since 1970; the server's clock at rendering corrects the visitor's.
// The server decides: a form sent a second early is refused there, with a message.
(() => {
  const pad = (n) => String(n).padStart(2, "0");

  const start = (box) => {
    const opensAt = Number(box.dataset.opensAt);
    const offset = Number(box.dataset.now) - Date.now(); // server clock minus ours
    if (!opensAt || Number.isNaN(offset)) return;
    const shown = box.querySelector("[data-countdown]");
    const value = box.querySelector("[data-countdown-value]");
    const live = box.querySelector("[data-countdown-live]");
    const ready = box.querySelector("[data-opening-ready]");
    const waiting = box.querySelectorAll("[data-opening-waiting]");
    const units = box.dataset;
    let spoken = null;
    let timer = null;

    // What a screen reader hears: at most once a minute (aria-live="polite").
    const say = (text) => {
      if (text !== spoken) {
        spoken = text;
        live.textContent = text;
      }
    };

    const words = (days, hours, minutes) => {
      const parts = [];
      if (days) parts.push(`${days} ${units.unitDay}`);
      if (days || hours) parts.push(`${hours} ${units.unitHour}`);
      parts.push(`${minutes} ${units.unitMinute}`);
      return units.liveTemplate.replace("{time}", parts.join(" "));
    };

    const tick = () => {
      const left = opensAt - (Date.now() + offset);
      if (left <= 0) {
        window.clearInterval(timer);
        shown.hidden = true;
        waiting.forEach((element) => {
          element.hidden = true;
        });
        ready.hidden = false;
        say(units.liveOpen);
        return;
      }
      const seconds = Math.ceil(left / 1000);
      const days = Math.floor(seconds / 86400);
      const hours = Math.floor((seconds % 86400) / 3600);
      const minutes = Math.floor((seconds % 3600) / 60);
      value.textContent =
        (days ? `${days} ${units.unitDay} ` : "") +
        `${pad(hours)}:${pad(minutes)}:${pad(seconds % 60)}`;
      shown.hidden = false;
      // Whole minutes left, rounded up: the sentence changes once a minute.
      const wholeMinutes = Math.ceil(seconds / 60);
      if (wholeMinutes <= 1) {
        say(units.liveLastMinute);
      } else {
        say(words(Math.floor(wholeMinutes / 1440), Math.floor((wholeMinutes % 1440) / 60), wholeMinutes % 60));
      }
    };

    tick();
    timer = window.setInterval(tick, 1000);
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-opening]").forEach(start);
  });
})();
