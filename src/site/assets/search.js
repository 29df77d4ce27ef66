// The search box: loads search-index.js on first use (a script, so it works from file://)
// and lists the vectors whose id or comment contains every word typed. Results are built
// with textContent only, so nothing from the index is ever parsed as HTML.
(function () {
  'use strict';
  var me = document.currentScript;
  var root = (me && me.getAttribute('data-root')) || '';
  var q = document.getElementById('q');
  var list = document.getElementById('results');
  if (!q || !list) return;
  var state = 'idle';
  var waiting = [];

  function load(done) {
    if (window.SEALCHECK_INDEX) return done();
    waiting.push(done);
    if (state !== 'idle') return;
    state = 'loading';
    var s = document.createElement('script');
    s.src = root + 'search-index.js';
    s.onload = function () { state = 'done'; waiting.splice(0).forEach(function (f) { f(); }); };
    s.onerror = function () { state = 'idle'; list.textContent = 'the search index did not load'; };
    document.head.appendChild(s);
  }

  function render() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = '';
    if (!words.length) return;
    var index = window.SEALCHECK_INDEX || [];
    var shown = 0;
    for (var i = 0; i < index.length && shown < 50; i++) {
      var e = index[i];
      var hay = (e[0] + ' ' + e[2]).toLowerCase();
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = root + e[1];
      a.textContent = e[0];
      var span = document.createElement('span');
      span.textContent = e[2];
      li.appendChild(a);
      li.appendChild(span);
      list.appendChild(li);
      shown++;
    }
    if (!shown) {
      var none = document.createElement('li');
      none.className = 'none';
      none.textContent = 'no vector matches';
      list.appendChild(none);
    }
  }

  q.addEventListener('focus', function () { load(function () {}); });
  q.addEventListener('input', function () { load(render); });
  q.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      var first = list.querySelector('a');
      if (first) window.location.href = first.href;
    } else if (ev.key === 'Escape') {
      q.value = '';
      render();
    }
  });
})();
