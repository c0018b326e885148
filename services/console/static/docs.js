// Swagger UI for one service's API, with the assets the console serves itself.
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.url,
  dom_id: "#swagger-ui",
  deepLinking: true,
});

// Swagger UI draws some selects (servers, content types) without a name, which screen readers announce as
// nothing: each gets one as it appears.
function nameTheSelects() {
  for (const select of document.querySelectorAll("#swagger-ui select:not([aria-label])")) {
    if (select.labels && select.labels.length) continue;
    const name = select.closest(".servers")
      ? "Server"
      : /content-type|media-type/.test(select.className + " " + (select.parentElement?.className || ""))
        ? "Content type"
        : "Choose a value";
    select.setAttribute("aria-label", name);
  }
}
new MutationObserver(nameTheSelects).observe(document.getElementById("swagger-ui"), {
  childList: true,
  subtree: true,
});
