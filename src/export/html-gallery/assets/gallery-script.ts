// The gallery pages' one script, written next to them as assets/gallery.js. A classic script (no
// modules: Chromium refuses module scripts from file://), no fetch or XHR (a file:// page may not
// read its neighbours), no libraries: the photos' data sits on the tiles' data-* attributes.
// It runs in whatever browser a client opens the stick with, so it is plain ES5 and DOM.

export const GALLERY_SCRIPT = String.raw`/* Shutterfind offline gallery: people search and the photo viewer. */
(function () {
  'use strict';

  function fold(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  }

  // Search: filters the people list as the visitor types.
  var search = document.getElementById('people-search');
  if (search) {
    var people = Array.prototype.slice.call(document.querySelectorAll('.person'));
    var noMatch = document.getElementById('no-match');
    search.addEventListener('input', function () {
      var query = fold(search.value);
      var shown = 0;
      people.forEach(function (person) {
        var match = person.getAttribute('data-name').indexOf(query) !== -1;
        person.hidden = !match;
        if (match) shown++;
      });
      noMatch.querySelector('span').textContent = search.value.trim();
      noMatch.hidden = shown > 0;
    });
  }

  var tiles = Array.prototype.slice.call(document.querySelectorAll('a.tile'));
  var box = document.getElementById('lightbox');
  if (!box || tiles.length === 0) return;

  function byId(id) { return document.getElementById(id); }
  var image = byId('lb-image');
  var count = byId('lb-count');
  var download = byId('lb-download');
  // Browsers do not download from a page opened from a folder (file://: Chromium ignores the
  // download attribute there), so the link opens the full photo in a tab of its own, and says so;
  // served over HTTP it downloads the file under its own name.
  if (location.protocol === 'file:' && download) {
    download.querySelector('span').textContent = 'Full size';
    download.setAttribute('aria-label', 'Open this photo full size, to save it from there');
    download.title = 'Opens the photo in a new tab: save it from there';
  }
  var title = byId('lb-title');
  var meta = byId('lb-meta');
  var chips = byId('lb-people');
  var previous = byId('lb-prev');
  var next = byId('lb-next');
  var close = byId('lb-close');
  var outside = Array.prototype.slice.call(document.querySelectorAll('body > header, body > main, body > footer'));
  var current = -1;
  var returnFocus = null;

  function preload(index) {
    if (index >= 0 && index < tiles.length) new Image().src = tiles[index].getAttribute('data-preview');
  }

  function show(index) {
    if (index < 0 || index >= tiles.length) return;
    current = index;
    var tile = tiles[index];
    box.classList.add('lb-loading');
    image.src = tile.getAttribute('data-preview');
    image.alt = tile.querySelector('img').alt;
    download.href = tile.getAttribute('data-download');
    download.setAttribute('download', tile.getAttribute('data-file'));
    title.textContent = tile.getAttribute('data-file');
    meta.textContent = tile.getAttribute('data-meta');
    chips.textContent = '';
    JSON.parse(tile.getAttribute('data-people') || '[]').forEach(function (person) {
      var link = document.createElement('a');
      link.href = person.href;
      link.textContent = person.name;
      chips.appendChild(link);
    });
    count.textContent = (index + 1) + ' / ' + tiles.length;
    previous.disabled = index === 0;
    next.disabled = index === tiles.length - 1;
    preload(index + 1);
    preload(index - 1);
  }

  function open(index) {
    returnFocus = document.activeElement;
    box.hidden = false;
    document.body.classList.add('lb-open');
    outside.forEach(function (element) { element.inert = true; });
    show(index);
    close.focus();
  }

  function shut() {
    box.hidden = true;
    document.body.classList.remove('lb-open');
    outside.forEach(function (element) { element.inert = false; });
    image.removeAttribute('src');
    var back = tiles[current] || returnFocus;
    if (back) back.focus();
  }

  image.addEventListener('load', function () { box.classList.remove('lb-loading'); });
  image.addEventListener('error', function () { box.classList.remove('lb-loading'); });

  tiles.forEach(function (tile, index) {
    tile.addEventListener('click', function (event) {
      // A modified click opens the photo on its own, as a link does.
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      open(index);
    });
  });
  previous.addEventListener('click', function () { show(current - 1); });
  next.addEventListener('click', function () { show(current + 1); });
  close.addEventListener('click', shut);
  box.addEventListener('click', function (event) {
    if (event.target === box || event.target === byId('lb-stage')) shut();
  });

  document.addEventListener('keydown', function (event) {
    if (box.hidden) return;
    if (event.key === 'Escape') { event.preventDefault(); shut(); }
    else if (event.key === 'ArrowRight') { event.preventDefault(); show(current + 1); }
    else if (event.key === 'ArrowLeft') { event.preventDefault(); show(current - 1); }
  });
  // Keep the keyboard inside the viewer while it is open (for browsers without inert).
  document.addEventListener('focusin', function (event) {
    if (!box.hidden && !box.contains(event.target)) close.focus();
  });

  // Swipe: a mostly horizontal move of at least SWIPE px; left shows the next photo.
  var SWIPE = 40;
  var start = null;
  box.addEventListener('touchstart', function (event) {
    start = event.touches.length === 1 ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
  }, { passive: true });
  box.addEventListener('touchend', function (event) {
    if (!start || event.changedTouches.length === 0) return;
    var dx = event.changedTouches[0].clientX - start.x;
    var dy = event.changedTouches[0].clientY - start.y;
    start = null;
    if (Math.abs(dx) >= SWIPE && Math.abs(dx) > Math.abs(dy) * 1.5) show(dx < 0 ? current + 1 : current - 1);
  });
})();
`;
