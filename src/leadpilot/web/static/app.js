/* LeadPilot dashboard behaviour: small progressive enhancements over server-rendered pages. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Whole table rows open their record; links, buttons and form controls inside a row keep their own meaning.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label, form")) return;
    if (window.getSelection && String(window.getSelection()).length > 0) return;
    if (event.metaKey || event.ctrlKey) window.open(row.dataset.href, "_blank");
    else window.location.href = row.dataset.href;
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest(".flash");
      if (box) box.remove();
      return;
    }
    if (event.target.closest("[data-back]")) {
      if (window.history.length > 1) window.history.back();
      else window.location.href = "/";
      return;
    }
    var toggle = event.target.closest("[data-toggle-nav]");
    if (toggle) {
      document.body.classList.toggle("nav-open");
      return;
    }
    if (document.body.classList.contains("nav-open") && !event.target.closest(".sidebar")) {
      document.body.classList.remove("nav-open");
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.getElementById(copy.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          var label = copy.textContent;
          copy.textContent = "Copied";
          setTimeout(function () { copy.textContent = label; }, 1500);
        });
      }
    }
  });

  // Search and filter forms leave empty fields out of the URL they push (/leads?stage=new, not ?q=&stage=new).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "") delete params[key];
    });
  });

  // A select marked data-autosubmit saves its form as soon as it changes.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  // Forms that ask for confirmation before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  function autoDismiss(root) {
    root.querySelectorAll(".toasts .flash").forEach(function (toast) {
      if (toast.dataset.timer) return;
      toast.dataset.timer = "1";
      setTimeout(function () { toast.remove(); }, 7000);
    });
  }

  var palette = ["#94a3b8", "#60a5fa", "#818cf8", "#a78bfa", "#f59e0b", "#10b981", "#f87171", "#14b8a6"];

  function drawCharts(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      canvas.dataset.drawn = "1";
      var colors = spec.colors || spec.labels.map(function (_, i) { return palette[i % palette.length]; });
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      Chart.defaults.color = "#7a8497";
      new Chart(canvas, {
        type: spec.type || "bar",
        data: {
          labels: spec.labels,
          datasets: [{
            label: spec.label || "",
            data: spec.values,
            backgroundColor: colors,
            borderRadius: 6,
            borderSkipped: false,
            maxBarThickness: 46,
          }],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: { duration: 300 },
          transitions: { resize: { animation: { duration: 0 } } },
          plugins: {
            legend: { display: spec.type === "doughnut", position: "right" },
          },
          scales: spec.type === "doughnut" ? {} : {
            x: { grid: { display: false } },
            y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#eef0f4" }, border: { display: false } },
          },
        },
      });
    });
  }

  function enhance(root) {
    drawCharts(root);
    autoDismiss(document);
  }

  onReady(function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  document.addEventListener("htmx:afterSwap", function () { autoDismiss(document); });

  // A request that never reached the server (offline, server restarting) gets a toast instead of silence.
  document.addEventListener("htmx:sendError", function () {
    var toasts = document.getElementById("toasts");
    if (!toasts) return;
    var box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    var text = document.createElement("div");
    text.className = "flash-text";
    text.textContent = "Could not reach the server. Check your connection and try again.";
    box.appendChild(text);
    toasts.appendChild(box);
    autoDismiss(document);
  });
})();
