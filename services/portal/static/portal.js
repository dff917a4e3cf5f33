// The portal's only script, served from the portal itself (the Content-Security-Policy allows no other).
(function () {
  "use strict";
  // A score sheet's running total, kept up to date as points are typed (the server adds them up again).
  var inputs = document.querySelectorAll("#phieu-cham input.points");
  var total = document.getElementById("tong-diem");
  function add() {
    var sum = 0;
    inputs.forEach(function (i) { var v = parseFloat(i.value.replace(",", ".")); if (!isNaN(v)) sum += v; });
    total.textContent = String(Math.round(sum * 100) / 100).replace(".", ",");
  }
  if (total) inputs.forEach(function (i) { i.addEventListener("input", add); });
  // A picker that reloads the page for the chosen school (the inspection form).
  document.querySelectorAll("select[data-reload-with]").forEach(function (select) {
    select.addEventListener("change", function () {
      var query = new URLSearchParams();
      query.set(select.dataset.reloadWith, select.value);
      if (select.dataset.year) query.set("nam", select.dataset.year);
      location.search = query.toString();
    });
  });
  // The award review's counts against each quota, kept up to date as verdicts are chosen (the registry
  // counts again when the draft is saved, and refuses to issue beyond a quota).
  var counts = document.getElementById("so-luong");
  function recount() {
    counts.querySelectorAll("tr[data-award]").forEach(function (row) {
      var award = row.dataset.award;
      var chosen = document.querySelectorAll(
        "fieldset.verdict[data-award='" + award + "'] input[value=awarded]:checked").length;
      row.querySelector("td.adding").textContent = String(chosen);
      var over = Number(row.dataset.earlier) + chosen > Number(row.dataset.quota);
      row.classList.toggle("over", over);
    });
  }
  if (counts) {
    document.querySelectorAll("fieldset.verdict input[type=radio]").forEach(function (r) {
      r.addEventListener("change", recount);
    });
    recount();
  }
  // An account's unit picker offers only the units of the chosen role (the server checks them again).
  document.querySelectorAll("select.tenant-picker").forEach(function (picker) {
    var role = picker.form && picker.form.querySelector("select[name=role]");
    if (!role) return;
    function fit() {
      picker.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.dataset.role === role.value;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var chosen = picker.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) picker.value = "";
    }
    role.addEventListener("change", fit);
    fit();
  });
  // Printing a filing or a board: the page's print styles leave out the menu, forms and buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // On a phone the menu folds behind one button (without the script it simply stays open).
  document.documentElement.classList.add("js");
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var nav = toggle.closest("nav");
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // A search box that narrows a long picker to the options whose name holds what is typed.
  document.querySelectorAll("input[data-filters]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filters);
    if (!select) return;
    box.addEventListener("input", function () {
      var words = box.value.trim().toLocaleLowerCase("vi");
      var first = null;
      select.querySelectorAll("option").forEach(function (option) {
        var shown = !words || option.textContent.toLocaleLowerCase("vi").indexOf(words) >= 0;
        option.hidden = !shown;
        if (shown && !first) first = option;
      });
      if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) first.selected = true;
    });
  });
})();
