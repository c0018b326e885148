// The watcher's report form: the phone's location, and reports kept on the phone while there is no network.
// Each report gets its report_id here, once; patrol answers 200 for a report_id it already has, so sending a
// kept report again after a lost answer still makes exactly one report.
// The phone's location as the report form holds it (empty when refused): the patrol buttons send it too.
window.here = (name) => (document.querySelector(`#report-form [name=${name}]`) || {}).value || "";

(function () {
  "use strict";
  const form = document.getElementById("report-form");
  const outcome = document.getElementById("report-outcome");
  const locationState = document.getElementById("location-state");
  const picker = document.getElementById("community-picker");
  const csrf = document.body.dataset.csrf;
  const STORE = "pending-reports";

  function openQueue() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("grassroots-console", 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "report_id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, action) {
    const db = await openQueue();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }

  const keep = (report) => withStore("readwrite", (store) => store.put(report));
  const forget = (reportId) => withStore("readwrite", (store) => store.delete(reportId));
  const kept = () => withStore("readonly", (store) => store.getAll());

  async function showPending() {
    const count = (await kept()).length;
    document.getElementById("pending-count").textContent = String(count);
    document.getElementById("pending").hidden = count === 0;
  }

  function locate() {
    if (!navigator.geolocation) return refused();
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.lat.value = position.coords.latitude.toFixed(6);
        form.lon.value = position.coords.longitude.toFixed(6);
        locationState.textContent = locationState.dataset.located;
        picker.hidden = true;
      },
      refused,
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  }

  function refused() {
    form.lat.value = "";
    form.lon.value = "";
    locationState.textContent = locationState.dataset.refused;
    picker.hidden = false;
  }

  // A category's own fields (a manhole cover's state…) show while it is chosen, and only they are sent.
  function showAttributes() {
    for (const block of form.querySelectorAll(".attributes")) {
      block.hidden = block.dataset.category !== form.category.value;
    }
  }

  function attributesOf() {
    const chosen = form.querySelector(`.attributes[data-category="${form.category.value}"]`);
    if (!chosen) return {};
    return Object.fromEntries(Array.from(chosen.querySelectorAll("[name]"), (input) => [input.name, input.value]));
  }

  function showErrors(errors) {
    for (const slot of form.querySelectorAll(".field-error")) {
      const name = slot.dataset.for;
      const message = errors[name] || (name === "lat" && (errors.lon || errors.address)) || "";
      slot.textContent = message;
      const input = form.elements[name];
      if (input && input.setAttribute) input.setAttribute("aria-invalid", message ? "true" : "false");
    }
  }

  // "sent", "rejected" (the answer names what is wrong) or "offline" (try again later).
  async function send(report) {
    const body = new FormData();
    for (const [name, value] of Object.entries(report.fields)) if (value) body.append(name, value);
    body.append("report_id", report.report_id);
    for (const photo of report.photos) body.append("photos", photo, photo.name || "photo.jpg");
    let response;
    try {
      response = await fetch("/watcher/reports", {
        method: "POST", body, headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (networkFailure) {
      return { state: "offline" };
    }
    if (response.ok) return { state: "sent", answer: await response.json() };
    if (response.status >= 500 || response.status === 401 || response.status === 403) return { state: "offline" };
    const answer = await response.json().catch(() => ({}));
    return { state: "rejected", errors: answer.errors || { description: answer.message || String(response.status) } };
  }

  // randomUUID needs a secure context; a console on plain http inside an intranet has none.
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const report of await kept()) {
        const result = await send(report);
        if (result.state === "offline") break;
        await forget(report.report_id); // sent, or refused for good: either way never sent again
        if (result.state === "rejected") {
          // Refused for good: put it back in the form with the reasons, so nothing is lost without a word.
          form.category.value = report.fields.category;
          form.description.value = report.fields.description;
          showAttributes();
          showErrors(result.errors);
          outcome.textContent = "";
        }
      }
    } finally {
      flushing = false;
      await showPending();
      document.body.dispatchEvent(new Event("reports-changed"));
    }
  }

  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const report = {
      report_id: newId(),
      fields: {
        category: form.category.value, description: form.description.value,
        lat: form.lat.value, lon: form.lon.value, address: form.lat.value ? "" : form.address.value,
        ...attributesOf(),
      },
      photos: Array.from(form.photos.files),
    };
    const result = await send(report);
    if (result.state === "rejected") {
      showErrors(result.errors);
      return;
    }
    showErrors({});
    if (result.state === "offline") {
      await keep(report);
      outcome.textContent = outcome.dataset.queued;
      await showPending();
    } else {
      outcome.textContent = outcome.dataset.sent;
      document.body.dispatchEvent(new Event("reports-changed"));
    }
    form.description.value = "";
    form.photos.value = "";
  });

  form.category.addEventListener("change", showAttributes);
  showAttributes();
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  locate();
  flush();
})();
