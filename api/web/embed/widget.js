/*! zhsearch related-articles widget
 *
 * <script src="https://HOST/widget.js" data-article-id="ID" data-size="5" async></script>
 *
 * renders the articles most worth reading after article ID, right after the
 * script tag, or into the element that data-target (a CSS selector) names,
 * in place of its content, which comes back if the list cannot be shown.
 * Optional: data-title (the heading, default 相关文章) and data-timeout-ms
 * (how long to wait for the list, 1000-60000, default 8000: past it the
 * widget removes itself, as on any failure). The list lives in a
 * shadow root with its own styles, so the host page's CSS neither leaks in
 * nor is changed; the host can set --zhsearch-accent (link colour). The API
 * is the one that served this script; the host's origin must be listed in
 * zhsearch's --cors-origins. Titles are inserted as text only.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  // Only from its own <script> tag; an element the host page lets a
  // visitor name currentScript (<img name="currentScript" src=…>) would
  // otherwise point the widget at the visitor's server.
  if (!(script instanceof HTMLScriptElement)) return;
  if (script.getAttribute('data-zhsearch-mounted')) return;
  script.setAttribute('data-zhsearch-mounted', '1');

  var base = new URL('.', script.src); // the directory of widget.js: the API's base
  var id = (script.getAttribute('data-article-id') || '').trim();
  var size = parseInt(script.getAttribute('data-size') || '5', 10);
  if (size > 20) {
    warn('data-size ' + size + ' is more than 20: showing 20');
    size = 20;
  } else if (!(size >= 1)) {
    warn('data-size ' + script.getAttribute('data-size') + ' is not a number from 1 to 20: showing 5');
    size = 5;
  }
  var heading = script.getAttribute('data-title') || '相关文章';
  var timeoutMs = parseInt(script.getAttribute('data-timeout-ms') || '8000', 10);
  if (!(timeoutMs >= 1000 && timeoutMs <= 60000)) timeoutMs = 8000;

  if (!id) {
    warn('data-article-id is missing');
    return;
  }

  var targetSel = script.getAttribute('data-target');
  if (targetSel && !findTarget() && document.readyState === 'loading') {
    // An async script may run before the page has parsed its target (a
    // long page, a slow network): the target is looked for again once the
    // whole page is parsed.
    document.addEventListener('DOMContentLoaded', mount);
  } else {
    mount();
  }

  function findTarget() {
    try { return document.querySelector(targetSel); } catch (err) { return null; }
  }

  function mount() {
    var host = document.createElement('zhsearch-related');
    host.style.display = 'block';
    host.setAttribute('lang', 'zh-CN'); // read as Chinese on an English page too
    var target = null;
    if (targetSel) {
      target = findTarget();
      if (!target) warn('data-target ' + targetSel + ' matches nothing; rendering after the script');
    }
    // What the host page put in the target (a fallback list, a link) is
    // kept aside and put back if the list cannot be shown.
    var fallback = null;
    if (target) {
      fallback = document.createDocumentFragment();
      while (target.firstChild) fallback.appendChild(target.firstChild);
      target.appendChild(host);
    } else {
      script.parentNode.insertBefore(host, script.nextSibling);
    }

    var root = host.attachShadow({ mode: 'open' });
    adoptStyles(root, [
      ':host{all:initial;display:block;contain:content;}',
      '.box{font-family:system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;',
      'font-size:15px;line-height:1.6;color:#1f2328;background:#fff;border:1px solid #d8dee4;border-radius:10px;padding:14px 18px;',
      'text-align:left;overflow-wrap:anywhere;}',
      'h2{margin:0 0 8px;font-size:16px;font-weight:600;color:#1f2328;}',
      'ol{margin:0;padding:0;list-style:none;}',
      'li{display:flex;gap:10px;align-items:baseline;justify-content:space-between;padding:7px 0;border-top:1px solid #eef1f4;}',
      'li:first-child{border-top:0;}',
      'a{color:var(--zhsearch-accent,#0b57d0);text-decoration:none;min-width:0;}',
      'a:hover{text-decoration:underline;}',
      'a:focus-visible{outline:2px solid var(--zhsearch-accent,#0b57d0);outline-offset:2px;border-radius:3px;}',
      'time{flex:none;font-size:13px;color:#656d76;}',
      '.msg{margin:0;color:#656d76;font-size:14px;}',
      '@media (max-width:480px){li{flex-direction:column;gap:0;}}'
    ].join(''));

    var box = document.createElement('section');
    box.className = 'box';
    box.setAttribute('part', 'box');
    var h = document.createElement('h2');
    h.textContent = heading;
    // The list is a landmark named by its heading, on partner pages as on
    // ours; when the widget fails it is removed, landmark and all (a
    // wrapper's own label stayed behind, an empty "相关文章" region).
    h.id = 'zhsearch-related-heading';
    box.setAttribute('aria-labelledby', h.id);
    var msg = document.createElement('p');
    msg.className = 'msg';
    msg.textContent = '正在加载…';
    box.appendChild(h);
    box.appendChild(msg);
    root.appendChild(box);
    box.setAttribute('aria-busy', 'true');

    var url = new URL('api/v1/articles/' + encodeURIComponent(id) + '/related', base);
    url.searchParams.set('size', String(size));
    // A server that never answers must not leave 正在加载… on the page for
    // ever: past timeoutMs the request is given up, as a failed one is.
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs) : 0;
    fetch(url.href, { mode: 'cors', credentials: 'omit', signal: controller && controller.signal, headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (r.status === 404) throw new Error('article ' + id + ' is not in the index');
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (d) {
        clearTimeout(timer);
        box.removeAttribute('aria-busy');
        var items = (d && d.related) || [];
        if (!items.length) {
          msg.textContent = '暂无相关文章。';
          return;
        }
        var ol = document.createElement('ol');
        items.forEach(function (it) {
          var li = document.createElement('li');
          var a = document.createElement('a');
          a.href = linkFor(it);
          a.textContent = it.title;
          li.appendChild(a);
          var day = formatDate(it.published_at);
          if (day) {
            var t = document.createElement('time');
            t.dateTime = it.published_at;
            t.textContent = day;
            li.appendChild(t);
          }
          ol.appendChild(li);
        });
        box.replaceChild(ol, msg);
      })
      .catch(function (err) {
        clearTimeout(timer);
        // A broken widget must not clutter the host page: remove it quietly,
        // and give the target back what the page had put there.
        host.remove();
        if (fallback) target.appendChild(fallback);
        var why = err && err.name === 'AbortError' ? 'no answer within data-timeout-ms (' + timeoutMs + ' ms)' : err && err.message;
        warn('related articles unavailable: ' + why);
      });
  }

  // linkFor is the article's own http(s) URL, or its page on zhsearch. Only
  // an absolute URL is the article's: a relative one (/2024/a.html, or
  // //host/a.html) would resolve against zhsearch's host, not the site's,
  // and the article page links neither (httpURL in api/web.go).
  function linkFor(it) {
    if (it.url) {
      try {
        var u = new URL(it.url);
        if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
      } catch (err) { /* fall through */ }
    }
    return new URL('a/' + encodeURIComponent(it.id), base).href;
  }

  function formatDate(s) {
    var t = s ? Date.parse(s) : NaN;
    if (isNaN(t)) return '';
    return new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 10); // UTC+8, as the site writes dates
  }

  // adoptStyles uses a constructed stylesheet where the browser has them,
  // so a host page's CSP for inline <style> does not apply.
  function adoptStyles(shadow, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch (err) {
      var style = document.createElement('style');
      style.textContent = css;
      shadow.appendChild(style);
    }
  }

  function warn(m) {
    if (window.console) console.warn('zhsearch widget: ' + m);
  }
})();
