// The Mini App's sign-in: post Telegram's initData to the server (a form, no inline script).
// initData comes from Telegram's script, or, when that script could not load, from
// where Telegram puts it for that script: the tgWebAppData field of the URL's fragment.
(function () {
  "use strict";
  function fromFragment() {
    var fields = window.location.hash.replace(/^#/, "").split("&");
    for (var i = 0; i < fields.length; i++) {
      var at = fields[i].indexOf("=");
      if (at > 0 && fields[i].slice(0, at) === "tgWebAppData") {
        try {
          return decodeURIComponent(fields[i].slice(at + 1));
        } catch (e) {
          return "";
        }
      }
    }
    return "";
  }
  var form = document.getElementById("telegram-sign-in");
  var app = window.Telegram && window.Telegram.WebApp;
  var initData = (app && app.initData) || fromFragment();
  if (!form || !initData) {
    var outside = document.getElementById("app-outside");
    var waiting = document.getElementById("app-waiting");
    if (outside) { outside.hidden = false; }
    if (waiting) { waiting.hidden = true; }
    return;
  }
  if (app) { app.ready(); }
  form.elements.init_data.value = initData;
  form.submit();
})();
