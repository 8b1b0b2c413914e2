// The only script: "Copy key" buttons (hidden without JavaScript; the key stays selectable).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var said = button.parentElement.querySelector(".copied");
      function done(ok) { if (said) { said.textContent = ok ? "Copied." : "Select the key and copy it."; } }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
      } else {
        field.select();
        try { done(document.execCommand("copy")); } catch (e) { done(false); }
      }
    });
  });
});
