// The Mini App's sign-in: post Telegram's initData to the server (a form, no inline script).
(function () {
  "use strict";
  var form = document.getElementById("telegram-sign-in");
  var app = window.Telegram && window.Telegram.WebApp;
  if (!form || !app || !app.initData) {
    var outside = document.getElementById("app-outside");
    var waiting = document.getElementById("app-waiting");
    if (outside) { outside.hidden = false; }
    if (waiting) { waiting.hidden = true; }
    return;
  }
  app.ready();
  form.elements.init_data.value = app.initData;
  form.submit();
})();
