// Small enhancements for every page; without JavaScript each page works as it is.
(function () {
  "use strict";

  // The menu folds into a 'Menu' button on a phone (the CSS shows the button and hides
  // the folded menu only at phone width), so the page starts near the top of the screen.
  var toggle = document.querySelector(".signaal-menu-toggle");
  var nav = document.getElementById("signaal-nav");
  if (toggle && nav) {
    toggle.hidden = false;
    toggle.classList.add("is-enhanced");
    nav.classList.add("is-collapsed");
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-collapsed") === false;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Disclosures marked data-closed-below="<px>" (the catalogue's filters) start closed on
  // narrow screens, so the content they precede comes first.
  // On a wider screen their summary is hidden, so they open again when the window grows.
  document.querySelectorAll("details[data-closed-below]").forEach(function (details) {
    var wide = window.matchMedia("(min-width: " + details.getAttribute("data-closed-below") + "px)");
    if (!wide.matches) {
      details.open = false;
    }
    wide.addEventListener("change", function () {
      if (wide.matches) {
        details.open = true;
      }
    });
  });

  // Where focus starts. A page may name the element that answers the learner's last action
  // (autofocus: the feedback on an answer, the finish line). Browsers skip autofocus when the
  // address has a fragment or on a reload, so move focus here as well. Otherwise, arriving
  // at an anchor that is meant to take focus (tabindex="-1"), e.g. the next quiz question
  // after 'continue', focus it too, so keyboard and screen reader users start where the
  // page scrolled to.
  var start = document.querySelector("[autofocus]");
  if (!start && window.location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target && target.getAttribute("tabindex") === "-1") {
      start = target;
    }
  }
  if (start && (!document.activeElement || document.activeElement === document.body)) {
    start.focus();
  }
})();
