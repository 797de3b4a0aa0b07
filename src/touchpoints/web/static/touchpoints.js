// Draws every chart of a page from its data-figure attribute (a Plotly figure as JSON), and
// opens a point's records (its customdata, a link on this site) when it is clicked.
// No inline script anywhere: the pages' Content-Security-Policy allows only files from here.
"use strict";

function drawCharts(root) {
  root.querySelectorAll(".chart[data-figure]").forEach(function (el) {
    if (el.dataset.drawn) return;
    var figure = JSON.parse(el.dataset.figure);
    el.dataset.drawn = "1";
    Plotly.newPlot(el, figure.data, figure.layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d"],
    }).then(function () {
      el.on("plotly_click", function (event) {
        var link = event.points && event.points[0] && event.points[0].customdata;
        if (typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/") {
          window.location.assign(link);
        }
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  drawCharts(document);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    drawCharts(event.target);
  });
});

// An upload (sent by htmx) shows its progress while the file travels; the report follows.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = (100 * event.detail.loaded) / event.detail.total;
  }
});
