// Ticks every deadline on the page down once a second, and recolours a case as its deadline nears.
(function () {
  "use strict";
  const AMBER = 24 * 3600, RED = 2 * 3600;
  const loaded = new WeakMap();

  function format(seconds) {
    const sign = seconds < 0 ? "-" : "";
    let left = Math.abs(seconds);
    const days = Math.floor(left / 86400); left -= days * 86400;
    const hours = Math.floor(left / 3600); left -= hours * 3600;
    const minutes = Math.floor(left / 60), secs = left - minutes * 60;
    const clock = [hours, minutes, secs].map((n) => String(n).padStart(2, "0")).join(":");
    return days ? `${sign}${days}d ${clock}` : `${sign}${clock}`;
  }

  function urgency(seconds) {
    return seconds < 0 ? "overdue" : seconds < RED ? "red" : seconds < AMBER ? "amber" : "green";
  }

  function tick() {
    const now = Date.now();
    for (const element of document.querySelectorAll(".countdown[data-remaining]")) {
      if (element.dataset.remaining === "") continue;
      if (!loaded.has(element)) loaded.set(element, now);
      const seconds = Number(element.dataset.remaining) - Math.floor((now - loaded.get(element)) / 1000);
      element.textContent = format(seconds);
      const row = element.closest(".case, #case");
      if (row) {
        row.className = row.className.replace(/urgency-\w+/, `urgency-${urgency(seconds)}`);
      }
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
