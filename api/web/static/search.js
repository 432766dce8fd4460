/* zhsearch pages: the search box in the top bar (autocomplete on every
 * page) and, on the search page, results, pagination and the query kept in
 * the URL (/?q=…&page=2) with history.pushState, so results can be shared
 * and the back button works.
 *
 * Only the server's highlights (HTML-escaped text with <mark>) are parsed as
 * HTML, and only after checking they hold nothing but text and <mark>;
 * everything else from a document goes in as text.
 */
(function () {
  'use strict';

  var API = '/api/v1/';
  var PAGE_SIZE = 10;
  var MAX_WINDOW = 1000; // the API's cap on page*size
  var MAX_PAGE = Math.floor(MAX_WINDOW / PAGE_SIZE);
  var SITE = '站内搜索';

  var form = document.querySelector('form.searchbar');
  if (!form) return;
  var input = form.querySelector('input[name="q"]');
  var setMarked = zhsearchCombobox.setMarked;
  var MAX_QUERY = input.maxLength > 0 ? input.maxLength : 200; // the API's limit too
  var results = document.getElementById('results');

  var combo = zhsearchCombobox({
    input: input,
    listbox: form.querySelector('[role="listbox"]'),
    fetch: function (q, signal) {
      return getJSON(API + 'suggest?' + new URLSearchParams({ q: q, size: '8' }), signal)
        .then(function (d) { return d.suggestions || []; });
    },
    onSelect: function () { submit(); }
  });

  function submit() {
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  form.addEventListener('submit', function (e) {
    combo.close();
    // A pasted tab or line break is a space, as in a shared link.
    var q = shownQuery(input.value);
    if (q !== input.value) input.value = q;
    if (!q) {
      e.preventDefault();
      input.focus();
      return;
    }
    if (!results) return; // another page: the browser goes to /?q=…
    e.preventDefault();
    navigate(q, 1);
    // On a phone the results replace nothing but the list: without this
    // the on-screen keyboard stayed up over them.
    if (window.matchMedia && window.matchMedia('(pointer: coarse)').matches) input.blur();
  });

  // "/" focuses the search box, as on many sites.
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    // Selected, as Tab leaves it: what the reader types replaces the old
    // query rather than going before it (逾期 typed after / searched
    // 逾期花呗).
    input.select();
  });

  // The article page's "back" link returns to the results it came from.
  var back = document.getElementById('back');
  if (back && document.referrer) {
    try {
      var ref = new URL(document.referrer);
      if (ref.origin === location.origin && ref.pathname === '/' && ref.searchParams.get('q')) back.href = ref.href;
    } catch (err) { /* no usable referrer */ }
  }

  if (!results) return;

  // ---- search page ----
  var statusEl = document.getElementById('status');
  var intro = document.getElementById('intro');
  // The results' heading: read by screen readers (the page's one h1 once
  // the intro's is hidden), not shown.
  var resultsHeading = document.getElementById('results-heading');
  var empty = document.getElementById('empty');
  var emptyQuery = document.getElementById('empty-query');
  var pager = document.getElementById('pager');
  var loadSeq = 0;
  var loadCtrl = null;

  function urlFor(q, page) {
    var p = new URLSearchParams({ q: q });
    if (page > 1) p.set('page', String(page));
    return '/?' + p.toString();
  }

  function navigate(q, page) {
    var url = urlFor(q, page);
    if (url !== location.pathname + location.search) {
      history.pushState({ q: q, page: page }, '', url);
    }
    load(q, page);
  }

  function fromLocation() {
    var p = new URLSearchParams(location.search);
    var q = shownQuery(p.get('q') || '');
    var page = parseInt(p.get('page') || '1', 10);
    if (!(page >= 1)) page = 1;
    if (page > MAX_PAGE) {
      page = MAX_PAGE;
      history.replaceState({ q: q, page: page }, '', urlFor(q, page));
    }
    combo.close();
    input.value = q;
    if (q) load(q, page); else showIntro();
  }

  window.addEventListener('popstate', fromLocation);
  // A page the browser restores from its back/forward cache keeps what was
  // typed in the box and never searched, above the results of another
  // query: the box shows the results' query, as the pager does.
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return;
    combo.close();
    input.value = shownQuery(new URLSearchParams(location.search).get('q') || '');
  });

  function showIntro() {
    loadSeq++;
    if (loadCtrl) loadCtrl.abort();
    document.title = SITE;
    intro.hidden = false;
    resultsHeading.hidden = true;
    empty.hidden = true;
    pager.hidden = true;
    results.textContent = '';
    setStatus('');
  }

  // setStatus says text in the live region screen readers announce; a
  // hidden one is announced without being shown twice (the empty state's
  // heading shows it).
  function setStatus(text, isError, hidden) {
    statusEl.textContent = text;
    statusEl.classList.toggle('error', !!isError);
    statusEl.classList.toggle('visually-hidden', !!hidden);
  }

  function load(q, page) {
    var my = ++loadSeq;
    if (loadCtrl) loadCtrl.abort();
    loadCtrl = typeof AbortController === 'function' ? new AbortController() : null;
    // The page's number too: tabs and the history menu tell pages apart.
    document.title = q + (page > 1 ? ' - 第 ' + page + ' 页' : '') + ' - ' + SITE;
    intro.hidden = true;
    resultsHeading.textContent = '“' + q + '”的搜索结果';
    resultsHeading.hidden = false;
    results.classList.add('loading');
    results.setAttribute('aria-busy', 'true');
    var params = new URLSearchParams({ q: q, page: String(page), size: String(PAGE_SIZE) });
    getJSON(API + 'search?' + params, loadCtrl && loadCtrl.signal).then(function (d) {
      if (my === loadSeq) render(d, q, page);
    }, function (err) {
      if (my !== loadSeq || (err && err.name === 'AbortError')) return;
      results.textContent = '';
      pager.hidden = true;
      empty.hidden = true;
      setStatus(errorText(err, q), true);
    }).then(function () {
      if (my !== loadSeq) return;
      results.classList.remove('loading');
      results.removeAttribute('aria-busy');
    });
  }

  function render(d, q, page) {
    results.textContent = '';
    empty.hidden = true;
    pager.hidden = true;
    var hits = d.hits || [];
    if (!d.total) {
      // Announced as a count of results is (found by a probe: a search
      // that found nothing said nothing to a screen reader).
      setStatus('没有找到与“' + q + '”相关的文章', false, true);
      emptyQuery.textContent = q;
      empty.hidden = false;
      return;
    }
    if (!hits.length) {
      setStatus('第 ' + page + ' 页没有结果:共 ' + d.total + ' 篇,请回到前面的页。');
      renderPager(d.total, q, page);
      return;
    }
    var noExact = d.relaxed && hits[0].relaxed && page === 1;
    // A later page of only the closest results found no more matches.
    var closest = d.relaxed && hits[0].relaxed && page > 1;
    // Where the exact matches end on a page that holds both: said in the
    // status too, as a reader who jumps from heading to heading never
    // meets the note between two results.
    var exact = hits.filter(function (h) { return !h.relaxed; }).length;
    setStatus((noExact ? '没有完全符合“' + q + '”的文章,以下是最接近的 ' + d.total + ' 篇'
      : closest ? '以下结果只部分符合“' + q + '”,共 ' + d.total + ' 篇'
      : '找到' + (d.total_capped ? '超过 ' : ' ') + d.total + ' 篇相关文章') + ',用时 ' + formatMs(d.took_ms) + ' 毫秒' +
      (page > 1 ? ',第 ' + page + ' 页' : '') +
      // 符合你的搜索, not 完全符合: a hit matches by its words' weight,
      // not by holding every word (a reader found one without 花呗).
      (exact > 0 && exact < hits.length ? ';本页前 ' + exact + ' 篇符合你的搜索,其余是最接近的内容' : ''));
    results.start = (page - 1) * PAGE_SIZE + 1;
    var noted = noExact || closest;
    hits.forEach(function (hit) {
      var li = renderHit(hit);
      if (hit.relaxed && !noted) {
        // Relaxed hits follow the strict ones: say where the exact
        // matches end (the API's "relaxed" flag, see README).
        noted = true;
        li.insertBefore(text('p', '以下结果只部分符合你的搜索,是最接近的内容:'), li.firstChild);
        li.firstChild.className = 'relaxed-note';
      }
      results.appendChild(li);
    });
    renderPager(d.total, q, page);
  }

  // errorText says in the reader's language why a search failed: the API's
  // messages are English, for developers.
  function errorText(err, q) {
    switch (err.code) {
      case 'rate_limited':
        return '搜索太频繁了,请稍等几秒再试。';
      case 'timeout':
        return '搜索的人太多了,请稍后再试。';
      case 'unavailable': // busy, or the index still opening: either way, soon
        return '搜索暂时忙不过来,请稍后再试。';
      case 'invalid_argument':
        if (Array.from(q.trim()).length > MAX_QUERY) {
          return '搜索词太长了:最多 ' + MAX_QUERY + ' 个字,请缩短后再试。';
        }
        return '无法搜索这段文字,请换个说法再试。';
    }
    return '搜索服务暂时不可用,请稍后再试。';
  }

  function formatMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return '?';
    if (ms < 0.1) return '不到 0.1'; // a cached answer: "0.0" read as a fault
    return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
  }

  function renderHit(hit) {
    var li = el('li', 'result');
    var h = el('h2', 'result-title');
    var a = el('a');
    // The article's own page on the site when it has one (README: an
    // absolute http(s) url), else its page here.
    var site = safeURL(hit.url);
    a.href = site ? site.href : '/a/' + encodeURIComponent(hit.id);
    setMarked(a, hit.highlights && hit.highlights.title, hit.title);
    if (hit.relaxed) {
      // Heard before the title by a reader moving heading to heading.
      var partial = text('span', '部分符合:');
      partial.className = 'visually-hidden';
      h.appendChild(partial);
    }
    h.appendChild(a);
    li.appendChild(h);

    var meta = el('p', 'result-meta');
    var day = formatDate(hit.published_at);
    if (day) {
      var time = el('time');
      time.dateTime = hit.published_at;
      time.textContent = day;
      meta.appendChild(time);
    }
    if (site) meta.appendChild(text('span', site.host));
    if (meta.childNodes.length) li.appendChild(meta);

    var snip = el('p', 'result-snippet');
    if (hit.highlights && hit.highlights.body) {
      setMarked(snip, hit.highlights.body, hit.snippet || '');
    } else if (hit.snippet) {
      snip.textContent = hit.snippet;
    } else {
      snip.className += ' title-only';
      snip.textContent = '本站只收录了这篇文章的标题。';
    }
    li.appendChild(snip);
    return li;
  }

  function renderPager(total, q, page) {
    var last = Math.min(Math.ceil(total / PAGE_SIZE), MAX_PAGE);
    pager.textContent = '';
    if (last <= 1 && page <= 1) { pager.hidden = true; return; }
    if (page > 1) pager.appendChild(pageLink(q, Math.min(page - 1, last), '上一页', 'prev'));
    // The first and last pages and two either side of this one; a gap of
    // one page shows that page rather than "…".
    var shown = {};
    [1, page - 2, page - 1, page, page + 1, page + 2, last].forEach(function (n) {
      if (n >= 1 && n <= last) shown[n] = true;
    });
    var nums = Object.keys(shown).map(Number).sort(function (x, y) { return x - y; });
    nums.forEach(function (n, i) {
      if (i > 0 && nums[i - 1] === n - 2) shown[n - 1] = true;
    });
    var prev = 0;
    Object.keys(shown).map(Number).sort(function (x, y) { return x - y; }).forEach(function (n) {
      if (prev && n > prev + 1) {
        var gap = text('span', '…');
        gap.className = 'gap';
        gap.setAttribute('aria-hidden', 'true');
        pager.appendChild(gap);
      }
      var a = pageLink(q, n, String(n));
      if (n === page) a.setAttribute('aria-current', 'page');
      a.setAttribute('aria-label', '第 ' + n + ' 页');
      pager.appendChild(a);
      prev = n;
    });
    if (page < last) pager.appendChild(pageLink(q, page + 1, '下一页', 'next'));
    pager.hidden = false;
  }

  function pageLink(q, n, label, rel) {
    var a = el('a');
    a.href = urlFor(q, n);
    a.textContent = label;
    a.dataset.page = String(n);
    if (rel) a.rel = rel;
    return a;
  }

  pager.addEventListener('click', function (e) {
    var a = e.target.closest('a[data-page]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    var q = shownQuery(new URLSearchParams(location.search).get('q') || input.value);
    // The pager pages through the results shown: the box shows their
    // query again, not what was typed since and never searched.
    combo.close();
    input.value = q;
    navigate(q, parseInt(a.dataset.page, 10));
    window.scrollTo(0, 0);
    // On the results' heading, which a screen reader says ("…"的搜索结果),
    // not on <main>, which some read whole; Tab goes on to the first
    // result either way.
    resultsHeading.focus({ preventScroll: true });
  });

  fromLocation();

  // ---- helpers ----

  function el(tag, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }

  function text(tag, s) {
    var e = el(tag);
    e.textContent = s;
    return e;
  }

  function formatDate(s) {
    if (!s) return '';
    var t = Date.parse(s);
    if (isNaN(t)) return '';
    // The site writes its dates in China Standard Time (UTC+8).
    return new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  // safeURL is an article's absolute http(s) URL, or null: a relative one
  // would resolve against the search page's own host.
  // shownQuery is the query as the page shows it and searches it, as the
  // server's page shows it: without the bidi controls (U+202E …) that
  // would turn the page's own text around it (search ignores them
  // anyway), and with control characters as spaces (a shared link holding
  // U+0001 searched it, which the API refuses).
  function shownQuery(s) {
    return s.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '')
      .replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ').trim();
  }

  function safeURL(s) {
    if (!s) return null;
    try {
      var u = new URL(s);
      return u.protocol === 'https:' || u.protocol === 'http:' ? u : null;
    } catch (err) {
      return null;
    }
  }

  function getJSON(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (r.ok && body) return body;
        var err = new Error(body && body.error ? body.error.message : 'HTTP ' + r.status);
        err.code = body && body.error ? body.error.code : '';
        throw err;
      });
    });
  }
})();
