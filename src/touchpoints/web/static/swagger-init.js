// Starts Swagger UI on the API's OpenAPI description (a file, not an inline script: the
// Content-Security-Policy of every page allows scripts from this server only).
"use strict";
window.addEventListener("load", function () {
  // validatorUrl: null — no badge fetched from validator.swagger.io.
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null });
});
