// Embeds a touchpoints survey in another site's page:
//   <script src="https://SERVER/static/survey-embed.js" data-touchpoint="store_staff"
//           data-lang="zh" data-link="(optional: the query of a signed link)"></script>
// It puts an iframe of SERVER/s/TOUCHPOINT where the script stands; nothing else is loaded.
"use strict";
(function () {
  var script = document.currentScript;
  if (!script || !script.dataset.touchpoint) return;
  var origin = new URL(script.src).origin;
  var query = script.dataset.link || (script.dataset.lang ? "lang=" + encodeURIComponent(script.dataset.lang) : "");
  var frame = document.createElement("iframe");
  frame.src = origin + "/s/" + encodeURIComponent(script.dataset.touchpoint) + (query ? "?" + query : "");
  frame.title = "survey";
  frame.style.width = "100%";
  frame.style.maxWidth = "560px";
  frame.style.height = script.dataset.height || "460px";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
