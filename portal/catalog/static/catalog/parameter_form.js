// Shows a field only while its condition holds (data-show-when / data-show-value from ParameterForm).
// Without JavaScript every field shows; the server ignores fields whose condition does not hold.
(function () {
  function currentValue(form, name) {
    const inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return "";
    const first = inputs[0];
    if (first.type === "checkbox" && inputs.length === 1) return first.checked ? "true" : "false";
    if (first.type === "radio" || first.type === "checkbox") {
      const picked = Array.from(inputs).filter((i) => i.checked).map((i) => i.value);
      return picked.join(",");
    }
    return first.value;
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (input) {
      const value = currentValue(form, input.dataset.showWhen);
      const wanted = input.dataset.showValue;
      const shown = wanted === "*" ? value !== "" && value !== "false" : value === wanted;
      const field = input.closest(".field") || input;
      field.hidden = !shown;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-parameter-form]").forEach(function (form) {
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
  });
})();
