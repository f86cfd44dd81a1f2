// Copy buttons (data-copy="text") and the inline field check's error styling. Delegated to the
// document, so parts htmx swaps in (the live progress section) work without re-binding.
(function () {
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");  // plain-http intranet hosts
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    copyText(button.dataset.copy).then(
      function () { button.textContent = "Copied"; button.classList.add("copied"); },
      function () { button.textContent = "Select and copy by hand"; }
    );
    setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 2000);
  });

  // The admin menu (a <details>) closes on Escape and on a click elsewhere, like any menu.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.navmenu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.navmenu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // Forms that undo work ask first (data-confirm="question").
  document.addEventListener("submit", function (event) {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Bars (data-bar-width="0–100", e.g. quota meters): the width is set here, because the
  // Content-Security-Policy refuses style attributes in the page.
  function sizeBars(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.barWidth) || 0)) + "%";
    });
  }
  sizeBars(document);  // deferred: the document is parsed
  document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.detail.target); });

  // After the inline check swapped a field's messages in, mark the field (red border, aria-invalid).
  document.addEventListener("htmx:afterSwap", function (event) {
    const slot = event.detail.target;
    if (!slot.classList || !slot.classList.contains("field-errors")) return;
    const field = slot.closest(".field");
    const bad = slot.querySelector("li") !== null;
    if (field) {
      field.classList.toggle("has-error", bad);
      field.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      });
    }
  });
})();
