"""Static scripts, styles and the image the replica serves (small enough to live in code)."""

from __future__ import annotations

import base64

RANKING_JS = """\
// Fills every section.ranking <ol> from its data-endpoint (the popular-posts widget).
(function () {
  function fill(section) {
    var ol = section.querySelector('ol');
    var limit = parseInt(section.getAttribute('data-limit') || '10', 10);
    fetch(section.getAttribute('data-endpoint'), {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        data.items.slice(0, limit).forEach(function (item) {
          var li = document.createElement('li');
          var rank = document.createElement('span');
          rank.className = 'rank';
          rank.textContent = item.rank;
          var a = document.createElement('a');
          a.href = item.url;
          a.textContent = item.title;
          li.appendChild(rank);
          li.appendChild(a);
          ol.appendChild(li);
        });
        section.setAttribute('data-loaded', 'true');
      });
  }
  function start() {
    document.querySelectorAll('section.ranking[data-endpoint]').forEach(fill);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""

LOADMORE_JS = """\
// "もっと見る": appends further articles of the category from the posts endpoint.
(function () {
  function start() {
    var button = document.querySelector('button.load-more');
    if (!button) { return; }
    var list = document.querySelector('section.category-list ul');
    button.addEventListener('click', function () {
      var offset = button.getAttribute('data-offset');
      var url = button.getAttribute('data-endpoint') + '&offset=' + offset;
      button.disabled = true;
      fetch(url, {credentials: 'same-origin'})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          data.items.forEach(function (item) {
            var li = document.createElement('li');
            var a = document.createElement('a');
            a.href = item.url;
            a.textContent = item.title;
            li.appendChild(a);
            list.appendChild(li);
          });
          if (data.next_offset === null) {
            button.remove();
          } else {
            button.setAttribute('data-offset', data.next_offset);
            button.disabled = false;
          }
        });
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""

COMMENTS_JS = """\
// Fills the comment count spans that carry a data-endpoint.
(function () {
  function start() {
    var spans = document.querySelectorAll('section.comments span.count[data-endpoint]');
    if (!spans.length) { return; }
    fetch(spans[0].getAttribute('data-endpoint'), {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        spans.forEach(function (s) { s.textContent = data.count; });
      });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""

LAZY_JS = """\
// Lazy-loaded photos of the themes: data-src becomes src.
(function () {
  function start() {
    document.querySelectorAll('img[data-src]').forEach(function (img) {
      img.src = img.getAttribute('data-src');
      img.removeAttribute('data-src');
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""

UNFOLD_JS = """\
// "続きを読む": shows the folded rest of an article (the portal theme).
(function () {
  function start() {
    document.querySelectorAll('button[data-unfold]').forEach(function (button) {
      button.addEventListener('click', function () {
        var rest = document.getElementById(button.getAttribute('data-unfold'));
        if (rest) { rest.classList.remove('is-folded'); }
        button.remove();
      });
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""

SITE_CSS = """\
body { font-family: sans-serif; max-width: 960px; margin: 0 auto; color: #222; }
a.skip { position: absolute; left: -999px; }
nav ul, footer ul { list-style: none; display: flex; gap: 1em; padding: 0; }
.entry-title, .post h1 { font-size: 1.6em; }
.entry-summary li, .lead li { font-weight: bold; }
figure img { max-width: 100%; height: auto; background: #ccc; }
figcaption, .wp-caption-text { font-size: .8em; color: #666; }
section.ranking ol, section.recommend ol, section.topics ol { padding-left: 1.2em; }
.rank { font-weight: bold; margin-right: .5em; }
.label { font-size: .75em; color: #06c; margin-left: .5em; }
.ad { background: #f4f4f4; min-height: 60px; }
"""

# A 1x1 grey baseline JPEG (one 8x8 block of mid-grey: DC 0, end of block), 141 bytes.
JPEG = base64.b64decode(
    "/9j/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQH/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8A"
    "P//Z"
)

FILES: dict[str, tuple[str, bytes]] = {
    "ranking.js": ("application/javascript; charset=utf-8", RANKING_JS.encode()),
    "loadmore.js": ("application/javascript; charset=utf-8", LOADMORE_JS.encode()),
    "comments.js": ("application/javascript; charset=utf-8", COMMENTS_JS.encode()),
    "lazy.js": ("application/javascript; charset=utf-8", LAZY_JS.encode()),
    "unfold.js": ("application/javascript; charset=utf-8", UNFOLD_JS.encode()),
    "site.css": ("text/css; charset=utf-8", SITE_CSS.encode()),
}
