/* ntmgis map script: draws the monitoring map from the JSON data block.
 *
 * Every user-provided string is set with textContent (never innerHTML), so a
 * name that holds an HTML tag with an event handler shows as text. Style keys are
 * precomputed in Python and stored per feature and year; this script only
 * looks them up. window.ntmgis exposes counts and hooks for tests.
 *
 * The data block is plain JSON, or for large areas gzip written as ASCII text, 6 bytes
 * in 7 characters (page.py, text123.py), which boot.js inflates with the browser's
 * DecompressionStream (this script, the libraries and the styles too) and hands to
 * readRecords; the map is drawn (start) once the data is there, and
 * window.ntmgis.ready is set last.
 */
(function () {
  'use strict';
  // A packed array is unpacked when first read (a property getter): at the opening zoom
  // the map draws provinces and districts only, so most arrays are never read before the
  // first render. THUNKS keeps each getter's maker, so that refs can move them (take).
  var THUNKS = new WeakMap();
  function memo(f) { var done = false, v; return function () { if (!done) { v = f(); done = true; f = null; } return v; }; }
  function settle(obj, key, v) { Object.defineProperty(obj, key, { value: v, writable: true, configurable: true, enumerable: true }); }
  function lazy(obj, key, thunk) {
    var m = THUNKS.get(obj);
    if (!m) { m = {}; THUNKS.set(obj, m); }
    m[key] = thunk;
    Object.defineProperty(obj, key, {
      configurable: true, enumerable: true,
      get: function () { var v = thunk(); settle(obj, key, v); return v; },
      set: function (v) { settle(obj, key, v); }
    });
  }
  function take(obj, key) {  // obj[key] as a maker (not read yet), the key removed
    var m = THUNKS.get(obj), t = m && m[key];
    if (!t || Object.getOwnPropertyDescriptor(obj, key).get === undefined) { var v = obj[key]; t = function () { return v; }; }
    delete obj[key];
    return t;
  }
  function numbered(spec, get) {  // strings prefix + number of a fixed width
    var pre = spec[0], width = spec[1], nums = spec[2].$r ? get(spec[2].$r, true) : spec[2];
    var zeros = '0'.repeat(width), out = new Array(nums.length);
    for (var i = 0; i < nums.length; i++) {
      var t = '' + nums[i];
      out[i] = t.length < width ? pre + zeros.slice(t.length) + t : pre + t;
    }
    return out;
  }
  // page.py's records: [n][n bytes of JSON text][m][m bytes of packed arrays], lengths as
  // 4 bytes little-endian; the JSON holds {"$r": [offset, length, kind]} for each array
  function readRecords(u8) {
    var dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    var dec = new TextDecoder();
    var texts = [], bins = [], pos = 0;
    while (pos < u8.length) {
      var n = dv.getUint32(pos, true);
      texts.push(dec.decode(u8.subarray(pos + 4, pos + 4 + n)));
      pos += 4 + n;
      var m = dv.getUint32(pos, true);
      bins.push(u8.subarray(pos + 4, pos + 4 + m));
      pos += 4 + m;
    }
    // the packed arrays' offsets count over all records' bytes: one view per record
    var starts = [], at = 0;
    bins.forEach(function (b) { starts.push(at); at += b.length; });
    function where(off) {
      var lo = 0, hi = starts.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (starts[mid] <= off) { lo = mid; } else { hi = mid - 1; } }
      return [bins[lo], off - starts[lo]];
    }
    function packed(v) { return v.$r && Array.isArray(v.$r) ? 'r' : (v.$s && Array.isArray(v.$s) ? 's' : null); }
    function get(r, typed) {
      var w = where(r[0]);
      // page.py's long lists and strings (names, statuses): JSON text parsed when first read
      if (r[2] === 'j') { return visit(JSON.parse(dec.decode(w[0].subarray(w[1], w[1] + r[1])))); }
      return unpack(w[0], w[1], r[1], r[2], typed);
    }
    function thunkOf(v, kind) {
      return kind === 'r' ? memo(function () { return get(v.$r); })
        : memo(function () { return numbered(v.$s, get); });
    }
    // how many strings a numbered array holds, from its numbers alone (no strings made)
    function sizeOf(v) {
      var nums = v.$s[2];
      if (!nums.$r) { return function () { return nums.length; }; }
      // packed.py: a flat list (depth 0, its first varint) of k numbers is k + 2 varints
      var r = nums.$r, w = where(r[0]), b = w[0], o = w[1];
      if (r[2] !== 'n' && b[o + 4] === 0) {
        var k = ((b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24) >>> 0) - 2;
        return function () { return k; };
      }
      return memo(function () { return get(nums.$r, true).length; });
    }
    function visit(v) {
      var kind;
      if (typeof v !== 'object' || v === null) { return v; }
      if (Array.isArray(v)) {
        for (var i = 0; i < v.length; i++) {
          var e = v[i];
          if (typeof e === 'object' && e !== null) { kind = packed(e); v[i] = kind ? thunkOf(e, kind)() : visit(e); }
        }
        return v;
      }
      Object.keys(v).forEach(function (k) {
        var e = v[k];
        if (typeof e === 'object' && e !== null) {
          kind = packed(e);
          if (kind) { lazy(v, k, thunkOf(e, kind)); } else { visit(e); }
          if (kind === 's') { var m = SIZES.get(v) || {}; m[k] = sizeOf(e); SIZES.set(v, m); }
        }
      });
      return v;
    }
    var D = visit(JSON.parse(texts.join('')));
    // refs.py: what repeats other parts is stored by reference; put back when first read
    var G = D.glines, C = D.communes, P = D.projects, F = D.facilities, V = D.villages;
    if (G && 'ga' in G) {
      var ga = take(G, 'ga');
      lazy(G, 'geom', memo(function () { return linesFromArcs(ga(), C.arcs); }));
      ON_ARCS.set(G, ga);
    }
    if (F && 'nt' in F) {
      var fnt = take(F, 'nt'), fnc = take(F, 'nc');
      lazy(F, 'name', memo(function () { return facilityNames(fnt(), fnc(), C.name); }));
    }
    flagsBack(V && V.st, function (o) { return o; });
    flagsBack(D.cstat, function (o) { return o && o.m; });
    if (P && 'nt' in P) {
      var pnt = take(P, 'nt');
      lazy(P, 'name', memo(function () { return expandNames(pnt(), P, D); }));
    }
    if (P && 'xv' in P) {
      var xv = take(P, 'xv');
      lazy(P, 'xy', memo(function () { return fromVillages(xv(), P.vi, V.xy); }));
    }
    return D;
  }
  function facilityNames(nt, nc, cnames) {
    return nt.map(function (n, i) {
      var c = nc[i];
      if (c < 0) { return n; }
      var whole = cnames[c];
      return n.slice(0, -1) + (n.charCodeAt(n.length - 1) === 1 ? whole : (lowerFirst(whole) || whole));
    });
  }
  // project points as offsets from their village's point: back to the delta chain
  function fromVillages(rel, vi, vxy) {
    var n = rel.length / 2;
    var vabs = new Int32Array(vxy.length), x = 0, y = 0, i;
    for (i = 0; i < vxy.length; i += 2) { x += vxy[i]; y += vxy[i + 1]; vabs[i] = x; vabs[i + 1] = y; }
    var out = new Int32Array(rel.length), px = 0, py = 0;
    for (i = 0; i < n; i++) {
      var v = vi[i], ax = rel[2 * i] + (v >= 0 ? vabs[2 * v] : 0), ay = rel[2 * i + 1] + (v >= 0 ? vabs[2 * v + 1] : 0);
      out[2 * i] = ax - px; out[2 * i + 1] = ay - py;
      px = ax; py = ay;
    }
    return out;
  }
  // criteria flags (base 64) XOR-ed with the year before's: b = prev XOR bx
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  // each year's flags made when first read (the year before's first): a country's village
  // statuses are not shown at its opening zoom
  function flagsBack(years, pick) {
    if (!years) { return; }
    var val = new Uint8Array(128), chr = new Uint8Array(64), prev = null, dec = new TextDecoder();
    for (var d = 0; d < 64; d++) { val[B64.charCodeAt(d)] = d; chr[d] = B64.charCodeAt(d); }
    Object.keys(years).sort().forEach(function (y) {
      var f = pick(years[y]);
      if (f && 'bx' in f) {
        var bx = take(f, 'bx'), before = prev;
        lazy(f, 'b', memo(function () {
          var x = bx(), p = before.b, out = new Uint8Array(x.length);
          for (var i = 0; i < x.length; i++) { out[i] = chr[val[p.charCodeAt(i)] ^ val[x.charCodeAt(i)]]; }
          return dec.decode(out);
        }));
      }
      prev = f || null;
    });
  }
  function lowerFirst(s) {
    var low = s ? s.charAt(0).toLowerCase() : '';
    return low.length === 1 && low !== s.charAt(0) ? low + s.slice(1) : null;
  }
  // project names: \x01-\x06 stand for the village's, commune's, district's name (each
  // as written, then with its first letter lowered)
  function expandNames(nt, P, D) {
    var V = D.villages, C = D.communes;
    var dist = ((D.admin && D.admin.levels) || []).filter(function (lv) { return lv.level === 'district'; })[0];
    var out = new Array(nt.length), parts = ['', '', '', '', '', ''];
    function mark(ch) { return parts[ch.charCodeAt(0) - 1]; }
    for (var k = 0; k < nt.length; k++) {
      var name = nt[k];
      if (/[\x01-\x06]/.test(name)) {
        var ci = P.commune[k], vi = P.vi[k];
        parts[0] = vi >= 0 ? V.name[vi] : '';
        parts[2] = ci >= 0 ? C.name[ci] : '';
        parts[4] = ci >= 0 && dist ? dist.name[dist.cu[ci]] : '';
        for (var j = 0; j < 6; j += 2) { parts[j + 1] = lowerFirst(parts[j]) || parts[j]; }
        name = name.replace(/[\x01-\x06]/g, mark);
      }
      out[k] = name;
    }
    return out;
  }
  // sizes of the numbered arrays (codes, ids) not read yet: counted without making their strings
  var SIZES = new WeakMap();
  function nOf(obj, key) {  // obj[key].length
    var m = SIZES.get(obj), d = Object.getOwnPropertyDescriptor(obj, key);
    return m && m[key] && d && d.get ? m[key]() : obj[key].length;
  }
  // the group lines' arc references (refs.py), for drawing them without G.geom (below)
  var ON_ARCS = new WeakMap();
  // The group lines straight from the communes' arcs, each as a Float64Array of longitude,
  // latitude pairs (the numbers L.LatLng would hold for decodeLine of linesFromArcs' lines)
  // without its delta lists, temporary arrays and 400.000 L.LatLng: a country's district
  // lines are drawn at its opening zoom (GroupLines, below, projects them).
  function lonLatsOnArcs(refs, arcs, S) {
    var out = new Array(refs.length), buf = new Int32Array(4096), q, i, x, y, k, line;
    for (q = 0; q < refs.length; q++) {
      var r = refs[q];
      if (r[0] < 0) {  // a line the arcs do not draw: as it was
        line = new Float64Array(r.length - 1); x = 0; y = 0;
        for (i = 1; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; line[i - 1] = x / S; line[i] = y / S; }
        out[q] = line;
        continue;
      }
      var n = 0;
      for (var t = 1; t < r.length; t++) {
        var a = arcs[r[t] >= 0 ? r[t] : ~r[t]], len = a.length;
        if (buf.length < n + len) { var grown = new Int32Array(2 * (n + len)); grown.set(buf.subarray(0, n)); buf = grown; }
        // an arc after the first leaves out its first point (the one before's last)
        var base = t > 1 ? n - 2 : n, kx = buf[base], ky = buf[base + 1];
        x = 0; y = 0;
        if (r[t] >= 0) {
          for (i = 0; i < len; i += 2) { x += a[i]; y += a[i + 1]; buf[base + i] = x; buf[base + i + 1] = y; }
        } else {
          for (i = 0; i < len; i += 2) { x += a[i]; y += a[i + 1]; buf[base + len - 2 - i] = x; buf[base + len - 1 - i] = y; }
        }
        if (t > 1) { buf[base] = kx; buf[base + 1] = ky; }
        n = base + len;
      }
      var np = n >> 1, shift = r[0], m = np - 1;
      line = new Float64Array(2 * np);
      for (k = 0; k < np; k++) {
        // a closed line turned back by shift points: point k is the ring's (m - shift + k) % m
        var at = shift ? (k < m ? (m - shift + k) % m : (m - shift) % m) : k;
        line[2 * k] = buf[2 * at] / S; line[2 * k + 1] = buf[2 * at + 1] / S;
      }
      out[q] = line;
    }
    return out;
  }
  // page.py's group lines on the communes' arcs: [shift, refs...] per line, or [-1, line]
  function linesFromArcs(refs, arcs) {
    return refs.map(function (r) {
      if (r[0] < 0) { return r.subarray(1); }
      var pts = [];
      for (var n = 1; n < r.length; n++) {
        var a = arcs[r[n] >= 0 ? r[n] : ~r[n]], xy = [], x = 0, y = 0;
        for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; xy.push(x, y); }
        if (r[n] < 0) {
          var rev = [];
          for (i = xy.length - 2; i >= 0; i -= 2) { rev.push(xy[i], xy[i + 1]); }
          xy = rev;
        }
        for (i = n > 1 ? 2 : 0; i < xy.length; i++) { pts.push(xy[i]); }
      }
      var shift = r[0];
      if (shift) {
        var ring = pts.slice(0, pts.length - 2);
        ring = ring.slice(ring.length - 2 * shift).concat(ring.slice(0, ring.length - 2 * shift));
        pts = ring.concat([ring[0], ring[1]]);
      }
      var out = new Int32Array(pts.length);
      for (i = pts.length - 2; i > 0; i -= 2) { out[i] = pts[i] - pts[i - 2]; out[i + 1] = pts[i + 1] - pts[i - 1]; }
      out[0] = pts[0]; out[1] = pts[1];
      return out;
    });
  }
  // packed.py: a count (4 bytes), then varints (7 bits a byte, high bit: more) in planes
  var OPEN = new Int32Array(0);
  function unvarint(b, off) {
    var n = (b[off] | b[off + 1] << 8 | b[off + 2] << 16 | b[off + 3] << 24) >>> 0;
    var out = new Uint32Array(n);
    if (OPEN.length < n) { OPEN = new Int32Array(n); }  // scratch, reused
    var open = OPEN;
    var p = off + 4, m = 0, i, c;
    for (i = 0; i < n; i++) {
      c = b[p++];
      out[i] = c & 127;
      if (c & 128) { open[m++] = i; }
    }
    for (var mul = 128; m; mul *= 128) {
      var k = 0;
      for (var j = 0; j < m; j++) {
        i = open[j];
        c = b[p++];
        out[i] += (c & 127) * mul;
        if (c & 128) { open[k++] = i; }
      }
      m = k;
    }
    return out;
  }
  // a packed array: numbers (kind n) and integer lists (a; d: each from the one before) as
  // plain arrays, nested integer lists (i, and c: coordinates, delta-encoded along the
  // layer) as arrays of Int32Array views
  function unpack(b, off, len, kind, typed) {
    var u = unvarint(b, off);
    var i;
    if (kind === 'n') {
      var width = u[0] >>> 1, byColumn = u[0] & 1, scale = Math.pow(10, u[1]), nv = u.length - 2;
      var num = function (z) { return z === 0 ? null : (((z - 1) >>> 1) ^ -((z - 1) & 1)) / scale; };
      if (!width) {
        var flat = new Array(nv);
        for (i = 0; i < nv; i++) { flat[i] = num(u[i + 2]); }
        return flat;
      }
      var rows = nv / width, outRows = new Array(rows);  // stored column by column, or row by row
      for (var r = 0; r < rows; r++) {
        var row = new Array(width);
        for (var w = 0; w < width; w++) { row[w] = num(u[2 + (byColumn ? w * rows + r : r * width + w)]); }
        outRows[r] = row;
      }
      return outRows;
    }
    var depth = u[0] & 7, pred = u[0] >> 3, count = u[1], pos = 2, levels = [];
    for (var d = 0; d < depth; d++) {
      var lv = u.subarray(pos, pos + count);
      levels.push(lv);
      pos += count;
      count = 0;
      for (i = 0; i < lv.length; i++) { count += lv[i]; }
    }
    var vals = new Int32Array(u.buffer, pos * 4, u.length - pos);  // in place: no copy
    for (i = 0; i < vals.length; i++) { var q = vals[i] >>> 0; vals[i] = (q >>> 1) ^ -(q & 1); }
    if (kind === 'c') {  // back to per-list deltas: each list's first pair absolute
      var leaf = depth ? levels[depth - 1] : [vals.length];
      var x = 0, y = 0, at = 0, l;
      if (pred) {  // packed.py: from each list's third pair on, its delta less the one before
        for (l = 0; l < leaf.length; l++) {
          for (i = at + 4; i < at + leaf[l]; i += 2) { vals[i] += vals[i - 2]; vals[i + 1] += vals[i - 1]; }
          at += leaf[l];
        }
        at = 0;
      }
      for (l = 0; l < leaf.length; l++) {
        for (i = at; i < at + leaf[l]; i += 2) {
          x += vals[i]; y += vals[i + 1];
          if (i === at) { vals[i] = x; vals[i + 1] = y; }
        }
        at += leaf[l];
      }
    }
    if (kind === 'd') { for (i = 1; i < vals.length; i++) { vals[i] += vals[i - 1]; } }
    var plain = !typed && (kind === 'a' || kind === 'd');  // lists as the JSON would give them
    if (!depth) { return plain ? Array.from(vals) : vals; }
    var items = [], last = levels[depth - 1], start = 0;
    for (i = 0; i < last.length; i++) {
      var part = vals.subarray(start, start + last[i]);
      items.push(plain ? Array.from(part) : part);
      start += last[i];
    }
    for (d = depth - 2; d >= 0; d--) {
      var up = [], cnt = levels[d], s0 = 0;
      for (i = 0; i < cnt.length; i++) { up.push(items.slice(s0, s0 + cnt[i])); s0 += cnt[i]; }
      items = up;
    }
    return items;
  }
  // every page carries all the projects (one block shared by the overview and the
  // criterion maps); a criterion map keeps those serving its criterion, in order
  function keepProjects(D, n) {
    var P = D.projects;
    var keep = [];
    var at = {};
    for (var k = 0; k < P.id.length; k++) {
      if (P.crit[k].indexOf(n) >= 0) { at[k] = keep.length; keep.push(k); }
    }
    function pick(a) { return keep.map(function (k) { return a[k]; }); }
    function chars(s) { return keep.map(function (k) { return s.charAt(k); }).join(''); }
    var Q = {};
    Object.keys(P).forEach(function (key) {
      var v = P[key];
      if (key === 'xy') {
        var xy = [];
        var x = 0, y = 0, px = 0, py = 0, j = 0;
        for (var q = 0; q < P.id.length && j < keep.length && 2 * q < v.length; q++) {
          x += v[2 * q]; y += v[2 * q + 1];
          if (q === keep[j]) { xy.push(x - px, y - py); px = x; py = y; j++; }
        }
        Q.xy = xy;
      } else if (key === 'st') {
        Q.st = {};
        Object.keys(v).forEach(function (yr) { Q.st[yr] = v[yr] ? chars(v[yr]) : v[yr]; });
      } else if (key === 'vname') {
        Q.vname = {};
        Object.keys(v).forEach(function (i) { if (at[i] !== undefined) { Q.vname[String(at[i])] = v[i]; } });
      } else if (v && !Array.isArray(v) && typeof v.s === 'string') {
        Q[key] = { k: v.k, s: chars(v.s) };
      } else if (Array.isArray(v) && v.length === P.id.length) {
        Q[key] = pick(v);
      } else {
        Q[key] = v;
      }
    });
    D.projects = Q;
    var PL = D.plines;
    if (PL && PL.p) {
      var p = [], geom = [];
      for (var i = 0; i < PL.p.length; i++) {
        if (at[PL.p[i]] !== undefined) { p.push(at[PL.p[i]]); geom.push(PL.geom[i]); }
      }
      D.plines = { p: p, geom: geom };
    }
  }
  var node = document.getElementById('ntmgis-data');
  if (node && node.type === 'application/json') {
    start(JSON.parse(node.textContent));
  } else if (window.ntmgisBoot) {
    // a compressed page: boot.js inflated this script and inflates the data (page.py)
    window.ntmgisBoot(readRecords, start);
  }

  function start(D) {
  if (D.pfilter && D.projects) { keepProjects(D, D.pfilter); }
  // a criterion map: the communes meeting it per unit and year, apart from the shared block
  if (D.admk && D.admin) {
    D.admin.levels.forEach(function (lv, li) {
      Object.keys(lv.y).forEach(function (yr) { lv.y[yr].mk = (D.admk[li] || {})[yr]; });
    });
  }
  var T = D.T;
  var LANG = D.lang;
  var S = 100000;
  var api = window.ntmgis = { data: D, counts: {}, legend: [] };

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function add(parent, tag, cls, text) {
    var e = el(tag, cls, text);
    parent.appendChild(e);
    return e;
  }
  function fill(tpl, obj) {
    return String(tpl).replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(obj, k) ? String(obj[k]) : m;
    });
  }
  function fmt(x, dec) {
    if (x === null || x === undefined || isNaN(x)) { return '\u2013'; }
    dec = dec || 0;
    var neg = x < 0;
    var s = Math.abs(x).toFixed(dec);
    var parts = s.split('.');
    var whole = parts[0];
    var groups = [];
    while (whole.length > 3) { groups.unshift(whole.slice(-3)); whole = whole.slice(0, -3); }
    groups.unshift(whole);
    var th = LANG === 'en' ? ',' : '.';
    var dm = LANG === 'en' ? '.' : ',';
    var out = groups.join(th) + (dec ? dm + parts[1] : '');
    return (neg ? '-' : '') + out;
  }
  function money(x) {
    if (x === null || x === undefined || isNaN(x)) { return '\u2013'; }
    if (Math.round(x) === x) { return fmt(x, 0); }
    var s = fmt(x, 3);
    var dm = LANG === 'en' ? '.' : ',';
    return s.replace(/0+$/, '').replace(new RegExp('\\' + dm + '$'), '');
  }
  function fold(s) {
    return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/\u0111/g, 'd').replace(/\u0110/g, 'd').toLowerCase();
  }
  function fmtDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    if (!m) { return s || ''; }
    return LANG === 'en' ? s : m[3] + '/' + m[2] + '/' + m[1];
  }
  function decodeLine(flat) {
    var out = [];
    var x = 0;
    var y = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push([y / S, x / S]);
    }
    return out;
  }
  function decodePolys(f) {
    return f.map(function (poly) { return poly.map(decodeLine); });
  }
  function decodeLines(f) { return f.map(decodeLine); }
  // shared arcs: a ring is a list of arc references, ~i for arc i walked backwards
  function decodeArcPolys(f, arcs) {
    return f.map(function (poly) {
      return poly.map(function (refs) {
        var out = [];
        refs.forEach(function (r, n) {
          var a = r >= 0 ? arcs[r] : arcs[~r].slice().reverse();
          for (var i = n ? 1 : 0; i < a.length; i++) { out.push(a[i]); }
        });
        out.pop();  // back at the first vertex; Leaflet closes rings itself
        return out;
      });
    });
  }
  function lab(kind, key) {
    var m = D.labels && D.labels[kind];
    return (m && Object.prototype.hasOwnProperty.call(m, key)) ? m[key] : String(key);
  }
  function parseList(s) {
    if (!s) { return []; }
    return String(s).split(';').filter(function (v) { return v !== ''; }).map(Number);
  }

  // ---------------------------------------------------------------- shapes
  var SVGNS = 'http://www.w3.org/2000/svg';
  function regular(n, r, rot) {
    var pts = [];
    for (var i = 0; i < n; i++) {
      var a = (rot || 0) + 2 * Math.PI * i / n;
      pts.push((r * Math.sin(a)).toFixed(2) + ',' + (-r * Math.cos(a)).toFixed(2));
    }
    return pts;
  }
  function shapePath(shape, r) {
    var p;
    switch (shape) {
      case 'square': p = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(function (v) { return (v[0] * r * 0.82).toFixed(2) + ',' + (v[1] * r * 0.82).toFixed(2); }); break;
      case 'diamond': p = regular(4, r, 0); break;
      case 'triangle': p = regular(3, r * 1.15, 0); break;
      case 'tri_down': p = regular(3, r * 1.15, Math.PI); break;
      case 'tri_right': p = regular(3, r * 1.15, Math.PI / 2); break;
      case 'pentagon': p = regular(5, r, 0); break;
      case 'hexagon': p = regular(6, r, 0); break;
      case 'octagon': p = regular(8, r, Math.PI / 8); break;
      case 'star':
        p = [];
        for (var i = 0; i < 10; i++) {
          var rr = i % 2 ? r * 0.45 : r * 1.1;
          var a = Math.PI * i / 5;
          p.push((rr * Math.sin(a)).toFixed(2) + ',' + (-rr * Math.cos(a)).toFixed(2));
        }
        break;
      case 'plus': {
        var w = r * 0.38;
        p = [[-w, -r], [w, -r], [w, -w], [r, -w], [r, w], [w, w], [w, r], [-w, r], [-w, w], [-r, w], [-r, -w], [-w, -w]]
          .map(function (v) { return v[0].toFixed(2) + ',' + v[1].toFixed(2); });
        break;
      }
      case 'cross': {
        var q = r * 0.3;
        var o = r * 0.9;
        p = [[-o, -o + q], [-o + q, -o], [0, -q], [o - q, -o], [o, -o + q], [q, 0], [o, o - q], [o - q, o], [0, q], [-o + q, o], [-o, o - q], [-q, 0]]
          .map(function (v) { return v[0].toFixed(2) + ',' + v[1].toFixed(2); });
        break;
      }
      case 'house': p = [[0, -r], [r, -r * 0.15], [r * 0.8, r * 0.85], [-r * 0.8, r * 0.85], [-r, -r * 0.15]].map(function (v) { return v[0].toFixed(2) + ',' + v[1].toFixed(2); }); break;
      case 'drop': return 'M0,' + (-r * 1.1).toFixed(2) + ' C' + (r * 0.9).toFixed(2) + ',' + (-r * 0.1).toFixed(2) + ' ' + (r * 0.9).toFixed(2) + ',' + r.toFixed(2) + ' 0,' + r.toFixed(2) + ' C' + (-r * 0.9).toFixed(2) + ',' + r.toFixed(2) + ' ' + (-r * 0.9).toFixed(2) + ',' + (-r * 0.1).toFixed(2) + ' 0,' + (-r * 1.1).toFixed(2) + 'Z';
      default: // circle
        return 'M' + (-r).toFixed(2) + ',0 a' + r.toFixed(2) + ',' + r.toFixed(2) + ' 0 1,0 ' + (2 * r).toFixed(2) + ',0 a' + r.toFixed(2) + ',' + r.toFixed(2) + ' 0 1,0 ' + (-2 * r).toFixed(2) + ',0Z';
    }
    return 'M' + p.join(' L') + 'Z';
  }
  function symbolSvg(shape, color, r, stroke) {
    var size = Math.ceil(2 * r * 1.2 + 4);
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('width', size);
    svg.setAttribute('height', size);
    svg.setAttribute('viewBox', (-size / 2) + ' ' + (-size / 2) + ' ' + size + ' ' + size);
    var path = document.createElementNS(SVGNS, 'path');
    path.setAttribute('d', shapePath(shape, r));
    path.setAttribute('fill', color);
    path.setAttribute('stroke', stroke || '#222');
    path.setAttribute('stroke-width', '1.2');
    svg.appendChild(path);
    return { svg: svg, size: size };
  }
  function swatch(kind, color, shape) {
    var s = el('span', 'ntm-sw ntm-sw-' + kind);
    if (kind === 'symbol') {
      s.appendChild(symbolSvg(shape || 'circle', color, 6).svg);
    } else if (kind === 'line') {
      s.style.borderTopColor = color;
    } else {
      s.style.background = color;
    }
    return s;
  }

  // ---------------------------------------------------------------- map
  // numbers of communes, villages, projects (a country's 230.000 codes and ids are not made here)
  var nC = D.communes ? nOf(D.communes, 'code') : 0, nV = D.villages ? nOf(D.villages, 'code') : 0;
  var nP = D.projects ? nOf(D.projects, 'id') : 0;
  var nFeatures = nC + nV + nP;
  var map = L.map('map', { preferCanvas: nFeatures > 5000, zoomSnap: 0.25, maxZoom: 18, minZoom: 5 });
  // Lines drawn as L.Polyline draws them, from Float64Arrays of longitude, latitude pairs
  // (lonLatsOnArcs) instead of L.LatLng: projected as Leaflet projects (spherical Mercator,
  // the same operations in the same order, rounded to whole pixels), the Mercator
  // coordinates kept for the next zoom, and of each run of points on the same pixel only
  // the first (and a line's last point) made an L.Point: Leaflet's simplification drops the
  // others anyway (they are 0 px from the point kept before them), so the path is the same.
  var GroupLines = L.Polyline.extend({
    initialize: function (lines, options) {
      L.setOptions(this, options);
      var s = 90, w = 180, n = -90, e = -180;
      lines.forEach(function (f) {
        for (var i = 0; i < f.length; i += 2) {
          if (f[i] < w) { w = f[i]; } if (f[i] > e) { e = f[i]; }
          if (f[i + 1] < s) { s = f[i + 1]; } if (f[i + 1] > n) { n = f[i + 1]; }
        }
      });
      this._lonlat = lines;
      this._merc = null;
      this._latlngs = [];
      this._bounds = lines.length ? L.latLngBounds([s, w], [n, e]) : L.latLngBounds();
    },
    _mercator: function () {
      var P = L.Projection.SphericalMercator, R = P.R, max = P.MAX_LATITUDE, d = Math.PI / 180;
      return this._lonlat.map(function (f) {
        var out = new Float64Array(f.length);
        for (var i = 0; i < f.length; i += 2) {
          var lat = Math.max(Math.min(max, f[i + 1]), -max), sin = Math.sin(lat * d);
          out[i] = R * f[i] * d;
          out[i + 1] = R * Math.log((1 + sin) / (1 - sin)) / 2;
        }
        return out;
      });
    },
    _projectLatlngs: function (latlngs, result, pxBounds) {
      var map = this._map, crs = map.options.crs, t = crs.transformation, scale = crs.scale(map._zoom);
      var o = map.getPixelOrigin();
      if (!this._merc) { this._merc = this._mercator(); this._lonlat = null; }
      this._merc.forEach(function (f) {
        if (!f.length) { return; }  // as L.Polyline: an empty line has no ring
        var ring = [], last = f.length - 2, px = NaN, py = NaN;
        for (var i = 0; i <= last; i += 2) {
          var x = Math.round(scale * (t._a * f[i] + t._b)), y = Math.round(scale * (t._c * f[i + 1] + t._d));
          if (x === px && y === py && i < last) { continue; }
          px = x; py = y;
          var p = new L.Point(x - o.x, y - o.y);
          ring.push(p);
          pxBounds.extend(p);
        }
        result.push(ring);
      });
    },
    getLatLngs: function () { return []; }
  });
  map.attributionControl.setPrefix(false);
  // leave room for the panels on a wide screen so that they do not hide the area
  var wide = window.innerWidth > 900;
  function popupOpts(w) {
    return {
      maxWidth: w, maxHeight: 440, className: 'ntm-popup',
      autoPanPaddingTopLeft: wide ? [330, 20] : [10, 10], autoPanPaddingBottomRight: wide ? [290, 20] : [10, 10]
    };
  }
  map.fitBounds(D.bounds, wide ? { paddingTopLeft: [330, 10], paddingBottomRight: [260, 10] } : { padding: [10, 10] });
  L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);
  map.createPane('hill').style.zIndex = 150;
  map.createPane('roads').style.zIndex = 405;
  map.createPane('plines').style.zIndex = 420;
  map.createPane('labels').style.zIndex = 450;
  map.getPane('roads').style.pointerEvents = 'none';
  // lines between districts (or the user's groups) over the communes, under project lines
  map.createPane('glines').style.zIndex = 410;
  map.getPane('glines').style.pointerEvents = 'none';
  map.getPane('labels').style.pointerEvents = 'none';

  var state = {
    year: String(D.year),
    view: D.kind === 'criterion' ? 'met' : (D.kind === 'overview' ? 'count' : 'result'),
    bySize: false
  };
  var layers = {};   // name -> {layer, label, group, on, legend()}
  var order = [];

  var A = D.admin || null;  // provinces and districts for large areas (see below)
  // layers are put on the map by applyVisibility(), once everything is built
  function register(name, layer, label, group, on, legend) {
    layers[name] = { layer: layer, label: label, group: group, on: on, legend: legend };
    order.push(name);
  }

  // ---------------------------------------------------------------- background
  if (D.hill) {
    register('hillshade', L.imageOverlay(D.hill.src, D.hill.bounds, { pane: 'hill', interactive: false }),
      T.hillshade, T.g_background, true, null);
  }
  if (D.tiles) {
    register('osm', L.tileLayer(D.tiles.url, { attribution: D.tiles.attribution, maxZoom: 19 }),
      T.osm, T.g_background, false, null);
  }

  // ---------------------------------------------------------------- monitoring data
  var C = D.communes;
  var V = D.villages;
  var P = D.projects;
  var F = D.facilities;
  var R = D.roads;
  // enumerations come as {k: keys, s: one base-64 character per value}
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function decodeEnum(v) {
    if (!v || Array.isArray(v)) { return v || []; }
    var out = new Array(v.s.length);
    for (var i = 0; i < v.s.length; i++) { out[i] = v.k[B64.indexOf(v.s.charAt(i))]; }
    return out;
  }
  // decoded when first read (a country's 140.000 projects are not shown at its opening zoom)
  function enumLazy(obj, key) {
    var v = obj[key], m = SIZES.get(obj) || {};
    lazy(obj, key, function () { return decodeEnum(v); });
    m[key] = function () { return v && !Array.isArray(v) ? v.s.length : (v || []).length; };
    SIZES.set(obj, m);
  }
  if (P) { enumLazy(P, 'cat'); enumLazy(P, 'status'); }
  if (F) { enumLazy(F, 'type'); }
  if (R) { enumLazy(R, 'cls'); }
  // a facility's type and a road's class are given for each (monitoring.py): their counts,
  // without making the facilities' names (refs.py) or the classes before they are shown
  var nF = F ? nOf(F, 'type') : 0, nR = R ? nOf(R, 'cls') : 0;
  var NC = (D.criteria || []).length;
  // criteria met of commune i / village j in the selected year: '1' met, '0' not, '-' unknown
  // packed as six criteria to a base-64 character; p.x holds the units without a
  // row (null) or with an unknown value (their string as it is)
  var B64I = {};
  for (var bi = 0; bi < 64; bi++) { B64I[B64.charAt(bi)] = bi; }
  function unpackFlags(p, k, i) {
    if (!p || !k) { return null; }
    var key = String(i);
    if (Object.prototype.hasOwnProperty.call(p.x, key)) { return p.x[key]; }
    var w = Math.ceil(k / 6);
    var out = '';
    for (var g = 0; g < w; g++) {
      var v = B64I[p.b.charAt(i * w + g)];
      for (var b = 5; b >= 0 && out.length < k; b--) { out += (v >> b) & 1 ? '1' : '0'; }
    }
    return out;
  }
  function cMet(i) {
    var st = D.cstat && D.cstat[state.year];
    if (!st || !C.prog[i]) { return null; }
    return unpackFlags(st.m, NC, i);
  }
  function vMet(j) {
    return unpackFlags(V.st[state.year], V.k, j);
  }
  function pVillage(k) {
    if (P.vi[k] >= 0 && V) { return V.name[P.vi[k]]; }
    return P.vname[String(k)] || '';
  }
  var critName = {};
  (D.criteria || []).forEach(function (c) { critName[c[0]] = c[1]; });

  function communeKey(i) {
    if (!C.prog[i]) { return 'outside'; }
    var st = D.cstat[state.year];
    var m = cMet(i);
    if (m === null) { return 'nodata'; }
    if (state.view === 'change') {
      var years = D.years;
      if (String(years[0]) === state.year) { return 'first'; }
      var g = parseList(st.g[i]);
      var l = parseList(st.l[i]);
      if (D.kind === 'criterion') {
        g = g.filter(function (n) { return n === D.criterion; });
        l = l.filter(function (n) { return n === D.criterion; });
      }
      if (g.length && l.length) { return 'both'; }
      if (g.length) { return 'gained'; }
      if (l.length) { return 'lost'; }
      return 'none';
    }
    if (state.view === 'met') {
      var ch = m.charAt(D.criterion - 1);
      return ch === '1' ? 'met' : (ch === '0' ? 'notmet' : 'nodata');
    }
    var c = st.c.charAt(i);
    var keys = Object.keys(D.styles['class']);
    return c === '-' ? 'nodata' : keys[Number(c)];
  }
  function communeEntries() {
    var St = D.styles;
    var e = [];
    if (state.view === 'change') {
      e = [['gained', T.change_gained, St.change.gained], ['lost', T.change_lost, St.change.lost],
        ['both', T.change_both, St.change.both], ['none', T.change_none, St.change.none],
        ['first', T.change_first, St.change.none]];
    } else if (state.view === 'met') {
      e = [['met', T.met, St.met['1']], ['notmet', T.not_met, St.met['0']]];
    } else {
      e = Object.keys(St['class']).map(function (k) { return [k, lab('class', k), St['class'][k]]; });
    }
    e.push(['nodata', T.no_data, St.met['']]);
    e.push(['outside', T.not_in_programme, St.outside]);
    return e;
  }
  function colorOf(entries, key) {
    for (var i = 0; i < entries.length; i++) { if (entries[i][0] === key) { return entries[i][2]; } }
    return '#999';
  }

  var communeLayer = null;
  var communePolys = [];  // by commune; only those built so far
  // the commune polygons are built when first shown: all at once, or with levels of
  // detail those in the grid cells around the view (see lazyLayer below)
  var labelLayer = L.layerGroup();
  var labPts = null;
  var arcs = null;
  var arcBox = null;
  function communeExtent(i) {
    if (!C.arcs) { return lineExtent([].concat.apply([], C.geom[i])); }
    if (!arcBox) { arcBox = C.arcs.map(function (a) { return lineExtent([a]); }); }
    var e = [Infinity, Infinity, -Infinity, -Infinity];
    C.geom[i].forEach(function (poly) {
      poly.forEach(function (refs) {
        refs.forEach(function (r) {
          var b = arcBox[r >= 0 ? r : ~r];
          e = [Math.min(e[0], b[0]), Math.min(e[1], b[1]), Math.max(e[2], b[2]), Math.max(e[3], b[3])];
        });
      });
    });
    return e;
  }
  var communesLazy = C && nC ? lazyLayer(nC, communeExtent, function (i) {
    if (C.arcs && !arcs) { arcs = C.arcs.map(decodeLine); }
    var poly = L.polygon(arcs ? decodeArcPolys(C.geom[i], arcs) : decodePolys(C.geom[i]), {
      className: 'ntm-commune ntm-commune-' + i, weight: 1.3, color: '#333', opacity: 0.9,
      fillOpacity: 0.6
    });
    poly.bindPopup(function () { return communeCard(i); }, popupOpts(400));
    poly.bindTooltip(function () { return el('span', null, C.name[i]); }, { sticky: true, direction: 'top' });
    poly.addTo(communeLayer);
    communePolys[i] = poly;
    // names of every commune built: with levels of detail only those around the view are
    // built, and placement puts the largest first, so a country's map names its communes too
    if (nC <= 400 || A) {
      labPts = labPts || decodeLine(C.lab);
      var tip = L.tooltip({ permanent: true, direction: 'center', className: 'ntm-label ntm-label-' + i, pane: 'labels', interactive: false })
        .setLatLng(labPts[i]).setContent(el('span', null, C.name[i])).addTo(labelLayer);
      labelTips.push({ tip: tip, i: i, size: ringArea(poly.getLatLngs()), names: labelNames(C.name[i]) });
    }
  }, function (fresh) {
    if (!communeLayer.hasLayer(labelLayer)) { labelLayer.addTo(communeLayer); }
    api.counts.communes = communesLazy.count();
    var entries = communeEntries();
    fresh.forEach(function (i) { styleCommune(i, entries); });
  }) : null;
  function ensureCommunes() { if (communesLazy) { communesLazy.view(); } }
  if (C && nC) {
    communeLayer = L.featureGroup();
    register('communes', communeLayer, T.communes, T.g_monitoring, true, function () {
      if (A && currentLevel() !== 'commune') { return unitLegend(); }
      var entries = communeEntries();
      var counts = {};
      for (var i = 0; i < C.code.length; i++) { var k = communeKey(i); counts[k] = (counts[k] || 0) + 1; }
      var title = state.view === 'change' ? T.view_change :
        (state.view === 'met' ? fill(T.criterion_title, { n: D.criterion, name: critName[D.criterion] }) : T.view_count);
      return {
        title: T.communes + ': ' + title, kind: 'fill',
        items: entries.filter(function (e) { return counts[e[0]] || ['nodata', 'outside', 'first', 'partial'].indexOf(e[0]) < 0; })
          .filter(function (e) { return !(e[0] === 'first' && !counts.first); })
          .map(function (e) { return { key: e[0], label: e[1], color: e[2], count: counts[e[0]] || 0 }; })
      };
    });
  }
  // Units outside the programme and units without data are hatched, not only grey: a
  // grey at 0.35-0.62 opacity over the grey hillshade reads as the terrain or as
  // "no change" (SVG patterns; the canvas renderer of very large areas keeps the greys)
  var HATCH = { outside: ['#f7f7f7', '#8c8c8c', false], nodata: ['#bdbdbd', '#4d4d4d', true] };
  (function () {
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('width', '0');
    svg.setAttribute('height', '0');
    svg.setAttribute('aria-hidden', 'true');
    svg.style.position = 'absolute';
    var defs = document.createElementNS(SVGNS, 'defs');
    Object.keys(HATCH).forEach(function (k) {
      var h = HATCH[k];
      var pat = document.createElementNS(SVGNS, 'pattern');
      pat.setAttribute('id', 'ntm-hatch-' + k);
      pat.setAttribute('patternUnits', 'userSpaceOnUse');
      pat.setAttribute('width', '7');
      pat.setAttribute('height', '7');
      pat.setAttribute('patternTransform', 'rotate(45)');
      var bg = document.createElementNS(SVGNS, 'rect');
      bg.setAttribute('width', '7');
      bg.setAttribute('height', '7');
      bg.setAttribute('fill', h[0]);
      pat.appendChild(bg);
      [[0, 0, 0, 7]].concat(h[2] ? [[0, 0, 7, 0]] : []).forEach(function (c) {
        var ln = document.createElementNS(SVGNS, 'line');
        ln.setAttribute('x1', c[0]); ln.setAttribute('y1', c[1]); ln.setAttribute('x2', c[2]); ln.setAttribute('y2', c[3]);
        ln.setAttribute('stroke', h[1]);
        ln.setAttribute('stroke-width', '2');
        pat.appendChild(ln);
      });
      defs.appendChild(pat);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  })();
  function hatch(layer, k) {
    var p = layer.getElement && layer.getElement();
    if (!p) { return; }
    p.setAttribute('data-key', k);
    if (HATCH[k]) { p.setAttribute('fill', 'url(#ntm-hatch-' + k + ')'); }
  }
  function styleCommune(i, entries) {
    var k = communeKey(i);
    communePolys[i].setStyle({
      fillColor: colorOf(entries, k),
      fillOpacity: k === 'outside' ? 0.55 : 0.62
    });
    hatch(communePolys[i], k);
  }
  function styleCommunes() {
    if (!communePolys.length) { return; }
    var entries = communeEntries();
    communePolys.forEach(function (poly, i) { styleCommune(i, entries); });
  }

  // ---------------------------------------------------------------- label placement
  // Commune names are placed in order of priority (the selected commune, then the
  // largest): each takes the first of a few positions inside its commune that overlaps
  // neither a name already placed nor a project cluster marker (the selected commune's
  // name may cover a cluster); a name with no free position is hidden until the view
  // changes.
  var labelTips = [];  // {tip, i, size}
  var selectedCommune = -1;
  function ringArea(lls) {
    // the area of the outer rings in square degrees of longitude at the equator (for the order only)
    var a = 0;
    (function walk(x) {
      if (!x.length) { return; }
      if (x[0] instanceof L.LatLng) {
        var k = Math.cos(x[0].lat * Math.PI / 180);
        for (var q = 0, n = x.length; q < n; q++) {
          var p1 = x[q];
          var p2 = x[(q + 1) % n];
          a += (p1.lng * p2.lat - p2.lng * p1.lat) * k;
        }
        return;
      }
      if (x[0] && x[0].length && x[0][0] instanceof L.LatLng) { walk(x[0]); return; }
      x.forEach(walk);
    })(lls);
    return Math.abs(a) / 2;
  }
  // the name as written, then without the unit's word where that is room enough
  // ("Xã Nậm Khao" -> "Nậm Khao", "Thị trấn Mường Tè" -> "TT. Mường Tè")
  var SHORT = [[/^X\u00e3\s+/, ''], [/^Th\u1ecb tr\u1ea5n\s+/, 'TT. '], [/^Ph\u01b0\u1eddng\s+/, 'P. '],
    [/^Commune\s+/i, ''], [/^Township\s+/i, 'TT. ']];
  function labelNames(name) {
    var out = [name];
    SHORT.forEach(function (r) { if (r[0].test(name)) { out.push(name.replace(r[0], r[1])); } });
    return out;
  }
  function boxesOverlap(a, b, pad) {
    return a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom + pad && b.top < a.bottom + pad;
  }
  function insideRing(pt, ring) {
    var inside = false;
    for (var q = 0, r = ring.length - 1; q < ring.length; r = q++) {
      var a = ring[q];
      var b = ring[r];
      if ((a.y > pt.y) !== (b.y > pt.y) && pt.x < (b.x - a.x) * (pt.y - a.y) / (b.y - a.y) + a.x) { inside = !inside; }
    }
    return inside;
  }
  function insideCommune(i, pt) {
    var poly = communePolys[i];
    if (!poly || !poly._parts) { return true; }
    // _parts: the rings as drawn, in layer pixels, clipped to the view
    var lp = map.containerPointToLayerPoint(L.point(pt.x, pt.y));
    var n = 0;
    poly._parts.forEach(function (ring) { if (insideRing(lp, ring)) { n++; } });
    return n % 2 === 1;
  }
  function obstacleBoxes() {
    var out = [];
    // project clusters (a single project symbol, 13 px, may sit under a name)
    // and the panels over the map (title, legend, layers, notes): no name under them
    document.querySelectorAll('.leaflet-marker-pane .marker-cluster, .leaflet-control-container .ntm-panel').forEach(function (e) {
      if (e.style.opacity === '0' || e.style.display === 'none') { return; }
      var r = e.getBoundingClientRect();
      if (r.width && r.height) { out.push(r); }
    });
    return out;
  }
  var labelsQueued = false;
  // Reads (sizes, positions) and writes (text, margins) are done in batches: one layout
  // for all names, not one per name (400 names: a few milliseconds).
  function measureNames(todo) {
    var fresh = todo.filter(function (t) { return !t.wv; });
    if (!fresh.length) { return; }
    var most = 0;
    fresh.forEach(function (t) { t.wv = []; most = Math.max(most, t.names.length); });
    for (var v = 0; v < most; v++) {
      fresh.forEach(function (t) { var n = t.names[Math.min(v, t.names.length - 1)]; if (t.span.textContent !== n) { t.span.textContent = n; } });
      fresh.forEach(function (t) {
        if (v < t.names.length) { var r = t.el.getBoundingClientRect(); t.wv.push([r.width, r.height]); }
      });
    }
  }
  function placeLabels() {
    labelsQueued = false;
    if (!labelTips.length) { return; }
    var todo = labelTips.filter(function (t) { return t.tip._map && t.tip.getElement(); });
    todo.forEach(function (t) { t.el = t.tip.getElement(); t.span = t.el.firstChild; });
    measureNames(todo);
    // read: where each element sits without its margin, the markers, the view
    var mr = map.getContainer().getBoundingClientRect();
    var obstacles = obstacleBoxes();
    todo.forEach(function (t) {
      var r = t.el.getBoundingClientRect();
      t.left0 = r.left - (parseFloat(t.el.style.marginLeft) || 0);
      t.top0 = r.top - (parseFloat(t.el.style.marginTop) || 0);
      var a = map.latLngToContainerPoint(t.tip.getLatLng());
      t.ax = mr.left + a.x;
      t.ay = mr.top + a.y;
    });
    todo.sort(function (a, b) { return (b.i === selectedCommune) - (a.i === selectedCommune) || b.size - a.size || a.i - b.i; });
    var placed = [];
    todo.forEach(function (t) {
      t.put = null;
      t.beside = false;
      for (var v = 0; v < t.names.length && !t.put; v++) { t.put = tryPlace(t, v); }
    });
    // write
    todo.forEach(function (t) {
      var v = t.put ? t.put[0] : 0;
      if (t.span.textContent !== t.names[v]) { t.span.textContent = t.names[v]; }
      if (t.put) {
        t.el.classList.toggle('ntm-label-beside', t.beside);
        leader(t);
        t.el.style.marginLeft = (t.put[1] - t.left0) + 'px';
        t.el.style.marginTop = (t.put[2] - t.top0) + 'px';
        t.el.classList.remove('ntm-label-hidden');
      } else {
        t.beside = false;
        leader(t);
        t.el.style.marginLeft = '0px';
        t.el.style.marginTop = '0px';
        t.el.classList.add('ntm-label-hidden');
      }
    });
    function tryPlace(t, v) {
      var w = t.wv[v][0];
      var h = t.wv[v][1];
      var cands = [[0, 0], [0, -h - 2], [0, h + 2], [-w / 2 - 4, 0], [w / 2 + 4, 0], [0, -2 * h - 4], [0, 2 * h + 4],
        [-w / 2 - 4, -h - 2], [w / 2 + 4, -h - 2], [-w / 2 - 4, h + 2], [w / 2 + 4, h + 2],
        // shifted, still over its own label point (a commune smaller than its name)
        [0, 1 - h / 2], [0, h / 2 - 1], [8 - w / 2, 0], [w / 2 - 8, 0],
        [8 - w / 2, 1 - h / 2], [w / 2 - 8, 1 - h / 2], [8 - w / 2, h / 2 - 1], [w / 2 - 8, h / 2 - 1]];
      for (var c = 0; c < cands.length; c++) {
        var dx = cands[c][0];
        var dy = cands[c][1];
        var left = t.ax + dx - w / 2;
        var top = t.ay + dy - h / 2;
        var box = { left: left, right: left + w, top: top, bottom: top + h };
        if (box.left < mr.left || box.right > mr.right || box.top < mr.top || box.bottom > mr.bottom) { continue; }
        var overAnchor = Math.abs(dx) < w / 2 && Math.abs(dy) < h / 2;
        if (c && !overAnchor && !insideCommune(t.i, { x: t.ax + dx - mr.left, y: t.ay + dy - mr.top })) { continue; }
        var free = placed.every(function (p) { return !boxesOverlap(p, box, 2); }) &&
          (t.i === selectedCommune || obstacles.every(function (o) { return !boxesOverlap(o, box, 1); }));
        if (free) {
          placed.push(box);
          return [v, left, top];
        }
      }
      return v === t.names.length - 1 ? tryBeside(t, v, w, h) : null;
    }
    // a thin line from a name set beside its commune to the commune's label point
    function leader(t) {
      var svg = t.el.querySelector('svg.ntm-leader');
      if (!t.beside) { if (svg) { svg.remove(); } return; }
      if (!svg) {
        svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('class', 'ntm-leader');
        svg.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'line'));
        t.el.appendChild(svg);
      }
      var w = t.wv[t.put[0]][0];
      var h = t.wv[t.put[0]][1];
      var x2 = t.ax - t.put[1];
      var y2 = t.ay - t.put[2];
      var line = svg.firstChild;
      line.setAttribute('x1', String(Math.min(Math.max(x2, 0), w)));
      line.setAttribute('y1', String(Math.min(Math.max(y2, 0), h)));
      line.setAttribute('x2', String(x2));
      line.setAttribute('y2', String(y2));
    }
    // Last resort for a commune too small for its name under the project clusters (the
    // township): just beside it, clear of every name and marker, rather than no name.
    function tryBeside(t, v, w, h) {
      var far = [[0, h + 16], [0, -h - 16], [w / 2 + 18, 0], [-w / 2 - 18, 0],
        [w / 2 + 14, h + 10], [-w / 2 - 14, h + 10], [w / 2 + 14, -h - 10], [-w / 2 - 14, -h - 10],
        [0, 2 * h + 26], [0, -2 * h - 26]];
      for (var c = 0; c < far.length; c++) {
        var left = t.ax + far[c][0] - w / 2;
        var top = t.ay + far[c][1] - h / 2;
        var box = { left: left, right: left + w, top: top, bottom: top + h };
        if (box.left < mr.left || box.right > mr.right || box.top < mr.top || box.bottom > mr.bottom) { continue; }
        if (placed.every(function (p) { return !boxesOverlap(p, box, 2); }) &&
            obstacles.every(function (o) { return !boxesOverlap(o, box, 1); })) {
          placed.push(box);
          t.beside = true;
          return [v, left, top];
        }
      }
      return null;
    }
  }
  function queueLabels() {
    if (labelsQueued || !labelTips.length) { return; }
    labelsQueued = true;
    requestAnimationFrame(placeLabels);
  }

  // ---------------------------------------------------------------- level of detail
  // Large areas: provinces, then districts, then communes as the user zooms in;
  // villages, projects, facilities and roads from the communes' zoom on.
  var unitGroups = [];
  function currentLevel() {
    if (!A) { return 'commune'; }
    var z = map.getZoom();
    if (z >= A.zoom.commune) { return 'commune'; }
    return z >= A.zoom.district ? 'district' : 'province';
  }
  function levelIndex(name) {
    for (var i = 0; i < (A ? A.levels.length : 0); i++) { if (A.levels[i].level === name) { return i; } }
    return -1;
  }
  function unitKey(li, u) {
    var lv = A.levels[li];
    var y = lv.y[state.year];
    if (!y || !y.has[u]) { return 'nodata'; }
    if (state.view === 'change') {
      var yi = D.years.map(String).indexOf(state.year);
      if (yi <= 0) { return 'first'; }
      if (D.kind === 'criterion') {
        var prev = lv.y[String(D.years[yi - 1])];
        var d = y.mk[u] - (prev ? prev.mk[u] : y.mk[u]);
        return d > 0 ? 'gained' : (d < 0 ? 'lost' : 'none');
      }
      var g = y.g[u] > 0;
      var l = y.l[u] > 0;
      return g && l ? 'both' : (g ? 'gained' : (l ? 'lost' : 'none'));
    }
    if (state.view === 'met') {
      var mk = y.mk ? y.mk[u] : 0;
      return mk === y.has[u] ? 'met' : (mk === 0 ? 'notmet' : 'partial');
    }
    // what a province or district view compares: the share of its communes that are NTM
    // (the average number of criteria met is nearly the same everywhere)
    var share = y.has[u] ? (y.ntm ? y.ntm[u] : 0) / y.has[u] : 0;
    for (var q = 0; q < SHARE.length; q++) { if (share >= SHARE[q][1]) { return SHARE[q][0]; } }
    return SHARE[SHARE.length - 1][0];
  }
  // share of NTM communes: the four class colours, best first
  var SHARE = [['share75', 0.75, 'share_75'], ['share50', 0.5, 'share_50'], ['share25', 0.25, 'share_25'], ['share0', 0, 'share_0']];
  function unitEntries() {
    var St = D.styles;
    var e;
    if (state.view === 'met') {
      e = [['met', T.all_met, St.met['1']], ['partial', T.partial, St.met.partial], ['notmet', T.none_met, St.met['0']]];
    } else if (state.view === 'change') {
      e = communeEntries().filter(function (x) { return x[0] !== 'outside' && x[0] !== 'nodata'; });
    } else {
      var cols = Object.keys(St['class']).map(function (k) { return St['class'][k]; });
      e = SHARE.map(function (sh, q) { return [sh[0], T[sh[2]], cols[Math.min(q, cols.length - 1)]]; });
    }
    e.push(['nodata', T.no_data, St.met['']]);
    return e;
  }
  function unitGroup(li) {
    if (unitGroups[li]) { return unitGroups[li]; }
    var lv = A.levels[li];
    var group = L.featureGroup();
    var polys = [];
    for (var u = 0; u < lv.code.length; u++) {
      (function (u) {
        var p = L.polygon(decodePolys(lv.geom[u]), {
          className: 'ntm-unit ntm-unit-' + lv.level + ' ntm-unit-' + lv.level + '-' + u,
          weight: lv.level === 'province' ? 2 : 1.4, color: '#333', opacity: 0.9, fillOpacity: 0.62
        });
        p.bindPopup(function () { return unitCard(li, u); }, popupOpts(340));
        p.bindTooltip(el('span', null, lv.name[u]), { sticky: true, direction: 'top' });
        p.addTo(group);
        polys.push(p);
      })(u);
    }
    unitGroups[li] = { group: group, polys: polys };
    return unitGroups[li];
  }
  function styleUnits() {
    if (!A) { return; }
    var entries = unitEntries();
    unitGroups.forEach(function (ug, li) {
      if (!ug) { return; }
      ug.polys.forEach(function (p, u) {
        var k = unitKey(li, u);
        p.setStyle({ fillColor: colorOf(entries, k) });
        hatch(p, k);
      });
    });
  }
  function unitLegend() {
    var level = currentLevel();
    var li = levelIndex(level);
    var entries = unitEntries();
    var counts = {};
    for (var u = 0; u < A.levels[li].code.length; u++) { var k = unitKey(li, u); counts[k] = (counts[k] || 0) + 1; }
    var what = state.view === 'change' ? T.view_change :
      (state.view === 'met' ? fill(T.criterion_title, { n: D.criterion, name: critName[D.criterion] }) : T.by_share);
    return {
      title: T['level_' + level] + ': ' + what, kind: 'fill',
      items: entries.filter(function (e) { return counts[e[0]] || ['nodata', 'first', 'partial'].indexOf(e[0]) < 0; })
        .map(function (e) { return { key: e[0], label: e[1], color: e[2], count: counts[e[0]] || 0 }; })
    };
  }
  function unitCard(li, u) {
    var lv = A.levels[li];
    var y = lv.y[state.year] || {};
    var box = el('div', 'ntm-card ntm-unitcard');
    box.setAttribute('data-unit', lv.code[u]);
    add(box, 'h3', null, lv.name[u]);
    add(box, 'div', 'ntm-sub', T['unit_' + lv.level] + ' \u00b7 ' + T.year + ' ' + state.year);
    var tb = add(box, 'table', 'ntm-kv');
    function row(k, v, cls) {
      var tr = add(tb, 'tr');
      add(tr, 'th', null, k);
      add(tr, 'td', 'n' + (cls ? ' ' + cls : ''), v);
    }
    var has = y.has ? y.has[u] : 0;
    row(T.unit_communes, fmt(has) + '/' + fmt(lv.n[u]));
    row(T.unit_ntm, fmt(y.ntm ? y.ntm[u] : 0), 'ntm-unit-ntm');
    row(T.unit_share, has ? fmt(100 * (y.ntm ? y.ntm[u] : 0) / has, 1) + '%' : '\u2013', 'ntm-unit-share');
    row(T.unit_avg, has ? fmt(y.avg[u] / 100, 2) : '\u2013', 'ntm-unit-avg');
    if (D.kind === 'criterion' && y.mk) {
      row(fill(T.unit_met, { n: D.criterion }), fmt(y.mk[u]) + '/' + fmt(has));
    } else if (y.g) {
      row(T.unit_gained, fmt(y.g[u]));
      row(T.unit_lost, fmt(y.l[u]));
    }
    row(T.unit_vntm, fmt(y.vntm ? y.vntm[u] : 0) + '/' + fmt(lv.vil[u]));
    row(T.unit_projects, fmt(lv.prj[u]));
    row(T.funding_total + ' (' + T.million + ')', money(lv.cap[u]));
    add(box, 'p', 'ntm-note', T.zoom_in);
    return box;
  }
  // Communes first: just past the zoom where communes appear, a country's choropleth
  // would be buried under cluster bubbles and village dots; villages, projects and
  // facilities come one zoom later (roads with the communes), or when searched for.
  function detailZoom() { return A ? A.zoom.commune + 1 : 0; }
  function allowed(name) {
    if (!A || ['hillshade', 'osm', 'communes', 'group_lines'].indexOf(name) >= 0) { return true; }
    if (currentLevel() !== 'commune') { return false; }
    return name === 'roads' || map.getZoom() >= detailZoom();
  }
  function applyVisibility() {
    var level = currentLevel();
    order.forEach(function (n) {
      var e = layers[n];
      if (n === 'communes' && A) {
        var showC = e.on && level === 'commune';
        if (showC) { ensureCommunes(); }
        if (showC && !map.hasLayer(e.layer)) { e.layer.addTo(map); styleCommunes(); }
        if (!showC && map.hasLayer(e.layer)) { map.removeLayer(e.layer); }
        A.levels.forEach(function (lv, li) {
          var want = e.on && level === lv.level;
          var ug = unitGroups[li];
          if (want) {
            ug = unitGroup(li);
            if (!map.hasLayer(ug.group)) { ug.group.addTo(map); styleUnits(); }
          } else if (ug && map.hasLayer(ug.group)) {
            map.removeLayer(ug.group);
          }
        });
        return;
      }
      var show = e.on && allowed(n);
      if (show && n === 'villages') { ensureVillages(); }
      if (show && n === 'projects') { ensureProjects(); }
      if (show && n === 'project_lines') { ensureProjectLines(); }
      if (show && n === 'facilities') { ensureFacilities(); }
      if (show && n === 'roads') { ensureRoads(); }
      if (show && !map.hasLayer(e.layer)) { e.layer.addTo(map); }
      if (!show && map.hasLayer(e.layer)) { map.removeLayer(e.layer); }
    });
  }
  // before showing one commune, village or project: zoom in to where it is drawn
  function ensureDetail(latlng) {
    if (A && map.getZoom() < detailZoom()) { map.setView(latlng, Math.ceil(detailZoom()), { animate: false }); }
  }

  // ---------------------------------------------------------------- built by area
  // Villages, projects, project lines, facilities and roads are built when first
  // shown. With levels of detail (a province, the country) only those in the grid
  // cells around the view are built, more as the user pans: a cell is about a
  // tenth of the view's width at the communes' zoom. extent(i) gives feature i's
  // [west, south, east, north] in degrees, make(i) builds it, done(list) follows a batch.
  var CELL = A ? 180 / Math.pow(2, A.zoom.commune) : 0;
  function lineExtent(parts) {
    var e = [Infinity, Infinity, -Infinity, -Infinity];
    parts.forEach(function (flat) {
      var x = 0;
      var y = 0;
      for (var i = 0; i < flat.length; i += 2) {
        x += flat[i]; y += flat[i + 1];
        if (x < e[0]) { e[0] = x; }
        if (x > e[2]) { e[2] = x; }
        if (y < e[1]) { e[1] = y; }
        if (y > e[3]) { e[3] = y; }
      }
    });
    return [e[0] / S, e[1] / S, e[2] / S, e[3] / S];
  }
  function pointExtent(pts, i) { var p = pts()[i]; return [p[1], p[0], p[1], p[0]]; }
  function lazyLayer(n, extent, make, done) {
    var built = new Uint8Array(n);
    var count = 0;
    var byCell = null;
    var cellsDone = {};
    function run(list) {
      var fresh = [];
      for (var t = 0; t < list.length; t++) {
        var i = list[t];
        if (!built[i]) { built[i] = 1; make(i); fresh.push(i); }
      }
      count += fresh.length;
      if (fresh.length && done) { done(fresh); }
    }
    function key(cx, cy) { return cx * 4194304 + cy; }
    return {
      count: function () { return count; },
      built: function () { var l = []; for (var i = 0; i < n; i++) { if (built[i]) { l.push(i); } } return l; },
      one: function (i) { run([i]); },
      view: function () {
        var i;
        if (!A) { var all = []; for (i = 0; i < n; i++) { all.push(i); } run(all); return; }
        if (!byCell) {
          byCell = {};
          for (i = 0; i < n; i++) {
            var e = extent(i);
            for (var cx = Math.floor(e[0] / CELL); cx <= Math.floor(e[2] / CELL); cx++) {
              for (var cy = Math.floor(e[1] / CELL); cy <= Math.floor(e[3] / CELL); cy++) {
                var k = key(cx, cy);
                (byCell[k] || (byCell[k] = [])).push(i);
              }
            }
          }
        }
        var b = map.getBounds().pad(0.1);
        var list = [];
        for (var x = Math.floor(b.getWest() / CELL); x <= Math.floor(b.getEast() / CELL); x++) {
          for (var y = Math.floor(b.getSouth() / CELL); y <= Math.floor(b.getNorth() / CELL); y++) {
            var c = key(x, y);
            if (cellsDone[c]) { continue; }
            cellsDone[c] = 1;
            if (byCell[c]) { Array.prototype.push.apply(list, byCell[c]); }
          }
        }
        run(list);
      }
    };
  }

  // ---------------------------------------------------------------- villages
  var villageMarkers = [];  // by village; only those built so far
  function villageKey(j) {
    var s = vMet(j);
    if (s === null) { return ''; }
    return (s.indexOf('0') < 0 && s.indexOf('-') < 0) ? '1' : '0';
  }
  var vLayer = L.featureGroup();
  var vpts = null;
  function villagePts() { return vpts || (vpts = decodeLine(V.xy)); }
  var villagesLazy = V && nV ? lazyLayer(nV, function (j) { return pointExtent(villagePts, j); }, function (j) {
    var m = L.circleMarker(villagePts()[j], { radius: 4.5, weight: 1.2, color: '#222', fillOpacity: 1, className: 'ntm-village', fillColor: D.styles.village[villageKey(j)] });
    m.bindPopup(function () { return villageCard(j); }, popupOpts(360));
    m.bindTooltip(function () {
      var v = vMet(j);
      var txt = V.name[j];
      if (v) { txt += ' \u00b7 ' + (v.match(/1/g) || []).length + '/' + v.length; }
      return el('span', null, txt);
    }, { direction: 'top' });
    m.addTo(vLayer);
    villageMarkers[j] = m;
  }, function () { api.counts.villages = villagesLazy.count(); }) : null;
  function ensureVillages() { if (villagesLazy) { villagesLazy.view(); } }
  if (V && nV) {
    register('villages', vLayer, T.villages, T.g_monitoring, true, function () {
      var counts = { '1': 0, '0': 0, '': 0 };
      for (var j = 0; j < V.code.length; j++) { counts[villageKey(j)]++; }
      var items = [['1', T.village_ntm], ['0', T.village_not], ['', T.no_data]]
        .filter(function (e) { return e[0] !== '' || counts['']; })
        .map(function (e) { return { key: e[0] || 'nodata', label: e[1], color: D.styles.village[e[0]], count: counts[e[0]] }; });
      return { title: T.villages, kind: 'dot', items: items };
    });
  }
  function styleVillages() {
    villageMarkers.forEach(function (m, j) { m.setStyle({ fillColor: D.styles.village[villageKey(j)] }); });
  }

  // ---------------------------------------------------------------- projects
  var projectMarkers = [];  // by project; only those built so far
  var projectLines = [];  // [line, project] built so far
  // the largest project's capital, for sizing by capital: read P.cap (every project's
  // amounts, unpacked) only when sizes are asked for
  var maxCapSeen = -1;
  function maxCap() {
    if (maxCapSeen < 0) { maxCapSeen = 0; for (var k0 = 0; k0 < P.id.length; k0++) { maxCapSeen = Math.max(maxCapSeen, capTotal(k0)); } }
    return maxCapSeen;
  }
  function projStatus(k) {
    var s = P.st[state.year];
    var d = s ? s.charAt(k) : '';
    return d === '' ? P.status[k] : ['preparing', 'under_way', 'finished'][Number(d)];
  }
  function capTotal(k) {
    var c = P.cap[k] || [];
    var t = 0;
    for (var i = 0; i < c.length; i++) { t += c[i] || 0; }
    return t;
  }
  function projectIcon(k) {
    var r = 6;
    if (state.bySize && maxCap() > 0) { r = 5 + 11 * Math.sqrt(capTotal(k) / maxCap()); }
    var sym = symbolSvg(D.styles.shapes[P.cat[k]] || 'circle', D.styles.status[projStatus(k)] || '#999', r);
    var wrap = el('div', 'ntm-sym');
    wrap.appendChild(sym.svg);
    return L.divIcon({ html: wrap, className: 'ntm-project', iconSize: [sym.size, sym.size] });
  }
  var cluster = null;
  if (P && nP) {
    cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 36, spiderfyOnMaxZoom: true, disableClusteringAtZoom: 14 });
  }
  var ppts = null;
  function projectPts() { return ppts || (ppts = decodeLine(P.xy)); }
  var projectsLazy = cluster ? lazyLayer(nP, function (k) { return pointExtent(projectPts, k); }, function (k) {
    var m = L.marker(projectPts()[k], { icon: projectIcon(k), keyboard: false });
    m.bindPopup(function () { return projectCard(k); }, popupOpts(380));
    m.bindTooltip(function () { return el('span', null, P.name[k]); }, { direction: 'top' });
    projectMarkers[k] = m;
  }, function (fresh) {
    // markercluster checks each new marker against its pending ones when off the map
    // (quadratic: 8 s for 140.000 markers); on the map it clusters them at once
    var off = !map.hasLayer(cluster);
    if (off) { cluster.addTo(map); }
    cluster.addLayers(fresh.map(function (k) { return projectMarkers[k]; }));
    if (off) { map.removeLayer(cluster); }
    api.counts.projects = projectsLazy.count();
  }) : null;
  function ensureProjects() { if (projectsLazy) { projectsLazy.view(); } }
  if (P && nP) {
    register('projects', cluster, T.projects, T.g_investment, true, function () {
      var counts = {};
      var cats = {};
      for (var k = 0; k < P.id.length; k++) {
        var s = projStatus(k);
        counts[s] = (counts[s] || 0) + 1;
        cats[P.cat[k]] = (cats[P.cat[k]] || 0) + 1;
      }
      var items = Object.keys(D.styles.status).map(function (s) {
        return { key: s, label: lab('status', s), color: D.styles.status[s], count: counts[s] || 0 };
      });
      var catItems = Object.keys(D.labels.category).concat(Object.keys(cats).filter(function (c) {
        return !Object.prototype.hasOwnProperty.call(D.labels.category, c);
      })).filter(function (c) { return cats[c]; }).map(function (c) {
        return { key: 'cat:' + c, label: lab('category', c), color: '#ffffff', shape: D.styles.shapes[c] || 'circle', count: cats[c] };
      });
      var title = T.projects + (D.kind === 'criterion' ? ' (' + fill(T.serving, { n: D.criterion }) + ')' : '');
      var note = T.cluster_note;
      if (state.bySize && maxCap() > 0) { note += ' ' + fill(T.size_note, { max: money(Math.round(maxCap() * 1000) / 1000) }); }
      return { title: title, kind: 'dot', items: items, sub: catItems, note: note };
    });
  }
  var PL = D.plines;
  var plLayer = L.featureGroup();
  var linesLazy = PL && PL.p.length ? lazyLayer(PL.p.length, function (q) { return lineExtent(PL.geom[q]); }, function (q) {
    var k = PL.p[q];
    var line = L.polyline(decodeLines(PL.geom[q]), { pane: 'plines', weight: 4, opacity: 0.95, className: 'ntm-pline', color: D.styles.status[projStatus(k)] || '#999' });
    line.bindPopup(function () { return projectCard(k); }, popupOpts(380));
    line.bindTooltip(function () { return el('span', null, P.name[k]); }, { sticky: true });
    line.addTo(plLayer);
    projectLines.push([line, k]);
  }, function () { api.counts.project_lines = projectLines.length; }) : null;
  function ensureProjectLines() { if (linesLazy) { linesLazy.view(); } }
  if (PL && PL.p.length) {
    register('project_lines', plLayer, T.project_lines, T.g_investment, true, function () {
      var counts = {};
      PL.p.forEach(function (k) { var s = projStatus(k); counts[s] = (counts[s] || 0) + 1; });
      return {
        title: T.project_lines, kind: 'line',
        items: Object.keys(D.styles.status).filter(function (s) { return counts[s]; }).map(function (s) {
          return { key: s, label: lab('status', s), color: D.styles.status[s], count: counts[s] };
        })
      };
    });
  }
  function styleProjectLines() {
    projectLines.forEach(function (lk) { lk[0].setStyle({ color: D.styles.status[projStatus(lk[1])] || '#999' }); });
  }
  function styleProjects() {
    projectMarkers.forEach(function (m, k) { m.setIcon(projectIcon(k)); });
    styleProjectLines();
    if (cluster && map.hasLayer(cluster)) { cluster.refreshClusters(); }
  }

  // ---------------------------------------------------------------- facilities, roads
  // facilities and roads, like villages and projects, are built when first shown
  var fLayer = L.featureGroup();
  var fpts = null;
  function facilityPts() { return fpts || (fpts = decodeLine(F.xy)); }
  var facilitiesLazy = F && nF ? lazyLayer(nF, function (f) { return pointExtent(facilityPts, f); }, function (f) {
    var letter = (D.styles.facility && D.styles.facility[F.type[f]]) || '?';
    var icon = L.divIcon({ html: el('span', null, letter), className: 'ntm-facility', iconSize: [15, 15] });
    var m = L.marker(facilityPts()[f], { icon: icon, keyboard: false });
    m.bindTooltip(function () { return el('span', null, lab('facility', F.type[f]) + ': ' + F.name[f]); }, { direction: 'top' });
    m.addTo(fLayer);
  }) : null;
  function ensureFacilities() { if (facilitiesLazy) { facilitiesLazy.view(); } }
  if (F && nF) {
    register('facilities', fLayer, T.facilities, T.g_infrastructure, false, function () {
      var counts = {};
      F.type.forEach(function (t) { counts[t] = (counts[t] || 0) + 1; });
      return {
        title: T.facilities, kind: 'letter',
        items: Object.keys(counts).sort().map(function (t) {
          return { key: t, label: lab('facility', t), letter: (D.styles.facility || {})[t] || '?', count: counts[t] };
        })
      };
    });
  }
  var rLayer = L.featureGroup();
  var roadsLazy = R && nR ? lazyLayer(nR, function (r) { return lineExtent(R.geom[r]); }, function (r) {
    var rs = D.styles.roads[R.cls[r]] || ['#777', 1];
    L.polyline(decodeLines(R.geom[r]), { pane: 'roads', color: rs[0], weight: rs[1], opacity: 0.85, interactive: false }).addTo(rLayer);
  }) : null;
  function ensureRoads() { if (roadsLazy) { roadsLazy.view(); } }
  if (R && nR) {
    register('roads', rLayer, T.roads, T.g_infrastructure, true, function () {
      var counts = {};
      R.cls.forEach(function (c) { counts[c] = (counts[c] || 0) + 1; });
      return {
        title: T.roads, kind: 'line',
        items: Object.keys(D.styles.roads).concat(Object.keys(counts).filter(function (c) { return !D.styles.roads[c]; }))
          .filter(function (c) { return counts[c]; }).map(function (c) {
            return { key: c, label: lab('road_class', c), color: (D.styles.roads[c] || ['#777'])[0], count: counts[c] };
          })
      };
    });
  }

  // ---------------------------------------------------------------- group lines
  // a province-wide workspace: where one district (former district, cluster) ends
  var G = D.glines;
  var gOnArcs = G && ON_ARCS.get(G);
  if (G && (gOnArcs ? gOnArcs().length : G.geom && G.geom.length)) {
    var gOpts = { pane: 'glines', color: '#222', weight: 2.6, opacity: 1, dashArray: '10 4 2 4', interactive: false, className: 'ntm-glines' };
    var gLine = gOnArcs && map.options.crs === L.CRS.EPSG3857 ? new GroupLines(lonLatsOnArcs(gOnArcs(), C.arcs, S), gOpts)
      : L.polyline(gOnArcs ? lonLatsOnArcs(gOnArcs(), C.arcs, S).map(function (f) {
        var out = [];
        for (var i = 0; i < f.length; i += 2) { out.push(new L.LatLng(f[i + 1], f[i])); }
        return out;
      }) : decodeLines(G.geom), gOpts);
    register('group_lines', L.featureGroup([gLine]), G.title, T.g_monitoring, true, function () {
      return { title: G.title, kind: 'line', items: [{ key: 'group', label: G.title, color: '#222', count: G.n }] };
    });
  }

  // ---------------------------------------------------------------- result layers (render_result_map)
  (D.result_layers || []).forEach(function (RL, li) {
    var group = L.featureGroup();
    var catKeys = RL.cats ? RL.cats.map(function (c) { return c[0]; }) : [];
    RL.geom.forEach(function (g, fi) {
      var color = RL.cat_of ? RL.cats[RL.cat_of[fi]][2] : RL.color;
      var layer;
      if (g[0] === 'P') {
        layer = L.circleMarker([g[1][1] / S, g[1][0] / S], { radius: RL.radius || 6, color: '#222', weight: 1, fillColor: color, fillOpacity: 0.9 });
      } else if (g[0] === 'L') {
        layer = L.polyline(decodeLines(g[1]), { color: color, weight: 3 });
      } else {
        layer = L.polygon(decodePolys(g[1]), { color: '#333', weight: 1, fillColor: color, fillOpacity: RL.fo === undefined ? 0.55 : RL.fo });
      }
      layer.options.className = 'ntm-result ntm-result-' + li;
      layer.bindPopup(function () { return resultCard(RL, fi); }, popupOpts(380));
      if (RL.title) { layer.bindTooltip(el('span', null, RL.title[fi]), { sticky: true }); }
      layer.addTo(group);
    });
    var kinds = {};
    RL.geom.forEach(function (g) { kinds[g[0]] = true; });
    var lkind = Object.keys(kinds).length !== 1 ? 'fill' : ({ P: 'dot', L: 'line', A: 'fill' })[Object.keys(kinds)[0]];
    register('result' + li, group, RL.name, RL.group || T.g_results, RL.visible !== false, function () {
      if (!RL.cats) { return { title: RL.name, kind: lkind, items: [{ key: 'all', label: RL.name, color: RL.color, count: RL.geom.length }] }; }
      var counts = {};
      (RL.cat_of || []).forEach(function (c) { counts[c] = (counts[c] || 0) + 1; });
      return {
        title: RL.name, kind: lkind,
        items: RL.cats.map(function (c, ci) { return { key: c[0], label: c[1], color: c[2], count: counts[ci] || 0 }; })
      };
    });
    api.counts['result' + li] = RL.geom.length;
    void catKeys;
  });
  function resultCard(RL, fi) {
    var box = el('div', 'ntm-card');
    if (RL.title) { add(box, 'h3', null, RL.title[fi]); }
    var tb = add(box, 'table', 'ntm-kv');
    RL.fields.forEach(function (name, ci) {
      var tr = add(tb, 'tr');
      add(tr, 'th', null, name);
      add(tr, 'td', null, RL.rows[fi][ci]);
    });
    return box;
  }

  // ---------------------------------------------------------------- popups
  function communeProjects(i) {
    var out = [];
    if (!P) { return out; }
    for (var k = 0; k < P.id.length; k++) { if (P.commune[k] === i) { out.push(k); } }
    return out;
  }
  function communeCard(i) {
    var box = el('div', 'ntm-card ntm-scorecard');
    box.setAttribute('data-commune', C.code[i]);
    add(box, 'h3', null, C.name[i]);
    add(box, 'div', 'ntm-sub', T.year + ' ' + state.year);
    var st = D.cstat[state.year];
    var m = cMet(i);
    if (!C.prog[i]) { add(box, 'p', 'ntm-note', T.not_in_programme); }
    if (m !== null && m !== undefined) {
      var met = (m.match(/1/g) || []).length;
      var line = add(box, 'div', 'ntm-score');
      add(line, 'span', null, T.criteria_met + ': ');
      var cnt = add(line, 'strong', 'ntm-count', met + '/' + m.length);
      cnt.setAttribute('data-met', String(met));
      var ntm = met === m.length;
      add(box, 'div', 'ntm-status ' + (ntm ? 'ntm-yes' : 'ntm-no'), ntm ? T.ntm_yes : T.ntm_no);
      var g = parseList(st.g[i]);
      var l = parseList(st.l[i]);
      if (g.length) { add(box, 'div', 'ntm-gained', T.gained + ': ' + g.join(', ')); }
      if (l.length) { add(box, 'div', 'ntm-lost', T.lost + ': ' + l.join(', ')); }
      var tb = add(box, 'table', 'ntm-crit');
      D.groups.forEach(function (grp) {
        var gr = add(tb, 'tr', 'ntm-group');
        var th = add(gr, 'th', null, grp[1]);
        th.colSpan = 3;
        grp[2].forEach(function (n) {
          var ch = m.charAt(n - 1);
          var tr = add(tb, 'tr', ch === '1' ? 'is-met' : (ch === '0' ? 'is-not' : 'is-nodata'));
          if (D.kind === 'criterion' && n === D.criterion) { tr.className += ' is-focus'; }
          add(tr, 'td', 'n', String(n));
          add(tr, 'td', null, critName[n]);
          add(tr, 'td', 'v', ch === '1' ? T.met : (ch === '0' ? T.not_met : T.no_data));
        });
      });
    } else if (C.prog[i]) {
      add(box, 'p', 'ntm-note', T.no_data);
    }
    if (C.prog[i]) {
      var tgt = [];
      if (C.tntm[i]) { tgt.push(T.target_ntm); }
      if (C.tcrit[i] !== null && C.tcrit[i] !== undefined) { tgt.push(fill(T.target_criteria, { n: C.tcrit[i] })); }
      add(box, 'div', 'ntm-target', fill(T.target, { year: D.plan_year }) + ': ' + (tgt.length ? tgt.join(', ') : T.target_none));
    }
    // the roadmap's targets this commune is behind on in the year shown
    var late = D.milestones && (D.milestones.late[state.year] || {})[String(i)];
    if (late && late.length) {
      var ld = add(box, 'div', 'ntm-late', T.late_criteria + ': ' + T.criterion.toLowerCase() + ' ' + late.join(', '));
      ld.setAttribute('data-late', late.join(','));
    }
    var ks = communeProjects(i);
    var head = T.projects_in_commune + (D.kind === 'criterion' ? ' (' + fill(T.serving, { n: D.criterion }) + ')' : '');
    add(box, 'h4', null, head + ': ' + fmt(ks.length));
    if (ks.length) {
      var pt = add(box, 'table', 'ntm-projects');
      var hr = add(pt, 'tr');
      add(hr, 'th', null, T.project);
      add(hr, 'th', 'n', T.funding_total);
      var sums = D.sources.map(function () { return 0; });
      var total = 0;
      ks.forEach(function (k) {
        var tr = add(pt, 'tr');
        var td = add(tr, 'td', null, P.name[k]);
        var parts = [];
        (P.cap[k] || []).forEach(function (v, si) { if (v) { parts.push(D.T['src_' + D.sources[si]] + ' ' + money(v)); } });
        if (parts.length) { add(td, 'div', 'ntm-src', parts.join(' \u00b7 ')); }
        add(tr, 'td', 'n', money(capTotal(k)));
        (P.cap[k] || []).forEach(function (v, s) { sums[s] += v || 0; });
        total += capTotal(k);
      });
      add(box, 'div', 'ntm-sub', T.capital_by_source);
      var sb = add(box, 'table', 'ntm-kv');
      D.sources.forEach(function (s, si) {
        if (!sums[si]) { return; }
        var tr = add(sb, 'tr');
        add(tr, 'th', null, lab('source', s));
        add(tr, 'td', 'n', money(Math.round(sums[si] * 1000) / 1000));
      });
      var tr = add(sb, 'tr', 'ntm-total');
      add(tr, 'th', null, T.funding_total);
      add(tr, 'td', 'n ntm-funding-total', money(Math.round(total * 1000) / 1000));
    } else {
      add(box, 'p', 'ntm-note', T.no_projects);
    }
    return box;
  }
  function villageCard(j) {
    var box = el('div', 'ntm-card ntm-villagecard');
    add(box, 'h3', null, V.name[j]);
    var ci = V.commune[j];
    add(box, 'div', 'ntm-sub', (ci >= 0 ? C.name[ci] + ' \u00b7 ' : '') + T.year + ' ' + state.year);
    var s = vMet(j);
    if (!s) { add(box, 'p', 'ntm-note', T.no_data); return box; }
    var met = (s.match(/1/g) || []).length;
    add(box, 'div', 'ntm-score', T.village_criteria + ': ' + met + '/' + s.length);
    add(box, 'div', 'ntm-status ' + (villageKey(j) === '1' ? 'ntm-yes' : 'ntm-no'), villageKey(j) === '1' ? T.village_ntm : T.village_not);
    var tb = add(box, 'table', 'ntm-crit');
    for (var n = 0; n < s.length; n++) {
      var ch = s.charAt(n);
      var tr = add(tb, 'tr', ch === '1' ? 'is-met' : (ch === '0' ? 'is-not' : 'is-nodata'));
      add(tr, 'td', 'n', String(n + 1));
      add(tr, 'td', null, V.crit[n] || '');
      add(tr, 'td', 'v', ch === '1' ? T.met : (ch === '0' ? T.not_met : T.no_data));
    }
    if (V.pop && V.pop[j] !== null && V.pop[j] !== undefined) { add(box, 'div', 'ntm-sub', T.population + ': ' + fmt(V.pop[j])); }
    return box;
  }
  function projectCard(k) {
    var box = el('div', 'ntm-card ntm-projectcard');
    add(box, 'h3', 'ntm-project-name', P.name[k]);
    add(box, 'div', 'ntm-sub', P.id[k] + ' \u00b7 ' + lab('category', P.cat[k]));
    var tb = add(box, 'table', 'ntm-kv');
    function row(name, value, cls) {
      var tr = add(tb, 'tr', cls);
      add(tr, 'th', null, name);
      return add(tr, 'td', null, value);
    }
    var ci = P.commune[k];
    row(T.location, [pVillage(k), ci >= 0 ? C.name[ci] : ''].filter(Boolean).join(', '));
    row(T.criteria_served, P.crit[k].map(function (n) { return n + '. ' + (critName[n] || ''); }).join('; '));
    row(T.years, (P.ys[k] === null ? '?' : P.ys[k]) + '\u2013' + (P.ye[k] === null ? '?' : P.ye[k]));
    var sy = projStatus(k);
    row(T.status, lab('status', sy) + (sy !== P.status[k] ? ' (' + state.year + ')' : ''));
    add(box, 'div', 'ntm-sub', T.capital_by_source);
    var cb = add(box, 'table', 'ntm-kv');
    D.sources.forEach(function (s, si) {
      var v = (P.cap[k] || [])[si];
      if (!v) { return; }
      var tr = add(cb, 'tr');
      add(tr, 'th', null, lab('source', s));
      add(tr, 'td', 'n', money(v));
    });
    var tot = add(cb, 'tr', 'ntm-total');
    add(tot, 'th', null, T.funding_total);
    add(tot, 'td', 'n', money(Math.round(capTotal(k) * 1000) / 1000));
    var db = add(cb, 'tr');
    add(db, 'th', null, T.disbursed);
    var share = capTotal(k) > 0 && P.disb[k] !== null ? ' (' + fmt(100 * P.disb[k] / capTotal(k), 1) + '%)' : '';
    add(db, 'td', 'n', money(P.disb[k]) + share);
    return box;
  }

  // ---------------------------------------------------------------- controls
  function ctrl(position, build) {
    var Ctl = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var d = el('div', 'leaflet-bar ntm-panel');
        L.DomEvent.disableClickPropagation(d);
        L.DomEvent.disableScrollPropagation(d);
        build(d);
        return d;
      }
    });
    return new Ctl().addTo(map);
  }

  // the map's foot: data source, boundaries' attribution (and the illustrative notice
  // in the title block); printed with the map
  // (a small screen has no room for a box of its own: they end the legend there)
  var notes = D.notes || {};
  function addNotes(d) {
    if (notes.source) { add(d, 'div', 'ntm-source', notes.source); }
    if (notes.attribution) { add(d, 'div', 'ntm-attribution', notes.attribution); }
  }
  if ((notes.source || notes.attribution) && wide) {
    ctrl('bottomright', function (d) {
      d.className += ' ntm-notes';
      addNotes(d);
    });
  }

  // title block
  var titleSummary;
  var titleYear;
  ctrl('topleft', function (d) {
    d.className += ' ntm-title';
    add(d, 'h1', null, D.title);
    add(d, 'div', 'ntm-area', [D.area, D.province].filter(Boolean).join(', '));
    titleYear = add(d, 'div', 'ntm-year');
    titleSummary = add(d, 'div', 'ntm-summary');
    if (notes.illustrative && (D.subtitle || '').indexOf(notes.illustrative) < 0) {
      add(d, 'div', 'ntm-illustrative', notes.illustrative);
    }
    if (D.kind !== 'result') {
      var a = add(d, 'a', 'ntm-link', T.all_maps);
      a.href = D.kind === 'criterion' ? '../list.html' : 'list.html';
    }
  });
  function updateTitle() {
    var parts = [];
    if (D.period && state.year === D.period.slot) {
      // what was known at the period's end, and the day it was last reported
      parts.push(D.period.label);
      parts.push(fill(T.period_data, { end: fmtDate(D.period.end), previous: D.period.previous }));
      if (D.period.reported) { parts.push(T.last_reported + ' ' + fmtDate(D.period.reported)); }
      titleYear.textContent = parts.join(' \u00b7 ');
      titleSummary.textContent = (D.summary || {})[state.year] || '';
      return;
    }
    if (D.years) { parts.push(T.year + ' ' + state.year); }
    // the workspace's data date belongs to its latest year; an earlier year is that year's data
    var last = D.years && D.years.length ? String(D.years[D.years.length - 1]) : state.year;
    if (D.data_date && state.year === last) {
      parts.push(T.data_date + ' ' + fmtDate(D.data_date));
    } else if (D.years && D.years.length && T.data_year) {
      parts.push(fill(T.data_year, { year: state.year }));
    }
    titleYear.textContent = parts.join(' \u00b7 ');
    // the figures are computed in Python (the same rounding as the list page)
    titleSummary.textContent = D.kind === 'result' ? (D.subtitle || '') : ((D.summary || {})[state.year] || '');
  }

  // search
  // the search index (accents folded) is built on the first search
  var searchIndex = null;
  function buildSearchIndex() {
  searchIndex = [];
  if (C) { C.name.forEach(function (n, i) { searchIndex.push([fold(n), n, T.commune, function () { communesLazy.one(i); var p = communePolys[i]; map.fitBounds(p.getBounds(), { animate: false }); ensureDetail(p.getBounds().getCenter()); p.openPopup(p.getBounds().getCenter()); }]); }); }
  if (V) { V.name.forEach(function (n, j) { searchIndex.push([fold(n), n, T.village, function () { villagesLazy.one(j); var m = villageMarkers[j]; ensureDetail(m.getLatLng()); if (!map.hasLayer(layers.villages.layer)) { toggle('villages', true); } map.setView(m.getLatLng(), Math.max(map.getZoom(), 13)); m.openPopup(); }]); }); }
  if (P) { P.name.forEach(function (n, k) { searchIndex.push([fold(n), n, T.project, function () { projectsLazy.one(k); var m = projectMarkers[k]; map.setView(m.getLatLng(), Math.max(map.getZoom(), Math.ceil(detailZoom())), { animate: false }); if (!map.hasLayer(cluster)) { toggle('projects', true); } cluster.zoomToShowLayer(m, function () { m.openPopup(); }); }]); }); }
  (D.result_layers || []).forEach(function (RL, li) {
    if (!RL.title) { return; }
    var group = layers['result' + li].layer;
    var ls = group.getLayers();
    RL.title.forEach(function (n, fi) {
      searchIndex.push([fold(n), n, RL.name, function () {
        var l = ls[fi];
        if (l.getBounds) { map.fitBounds(l.getBounds(), { maxZoom: 14 }); } else { map.setView(l.getLatLng(), Math.max(map.getZoom(), 13)); }
        l.openPopup();
      }]);
    });
  });
  }
  ctrl('topleft', function (d) {
    d.className += ' ntm-search';
    var input = add(d, 'input');
    input.type = 'search';
    input.placeholder = T.search;
    input.setAttribute('aria-label', T.search);
    var list = add(d, 'ul', 'ntm-results');
    input.addEventListener('input', function () {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      var q = fold(input.value.trim());
      if (q.length < 2) { return; }
      if (!searchIndex) { buildSearchIndex(); }
      var hits = searchIndex.filter(function (e) { return e[0].indexOf(q) >= 0; }).slice(0, 12);
      if (!hits.length) { add(list, 'li', 'ntm-none', T.no_results); return; }
      hits.forEach(function (h) {
        var li = add(list, 'li');
        add(li, 'span', 'ntm-kind', h[2]);
        add(li, 'span', null, h[1]);
        li.addEventListener('click', function (ev) {
          // the click must not reach the map (it would close the popup opened below),
          // and the list is emptied only afterwards: Leaflet looks up the clicked
          // element's ancestors to tell a control from the map
          L.DomEvent.stopPropagation(ev);
          h[3]();
          setTimeout(function () { while (list.firstChild) { list.removeChild(list.firstChild); } }, 0);
        });
      });
    });
  });

  // full screen
  ctrl('topleft', function (d) {
    d.className += ' ntm-fullscreen-box';
    var b = add(d, 'a', 'ntm-fullscreen');
    var ic = document.createElementNS(SVGNS, 'svg');
    ic.setAttribute('width', '16');
    ic.setAttribute('height', '16');
    ic.setAttribute('viewBox', '0 0 16 16');
    var ip = document.createElementNS(SVGNS, 'path');
    ip.setAttribute('d', 'M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5');
    ip.setAttribute('fill', 'none');
    ip.setAttribute('stroke', '#222');
    ip.setAttribute('stroke-width', '2');
    ic.appendChild(ip);
    b.appendChild(ic);
    b.href = '#';
    b.title = T.fullscreen;
    b.setAttribute('role', 'button');
    b.setAttribute('aria-label', T.fullscreen);
    L.DomEvent.on(b, 'click', function (ev) {
      L.DomEvent.preventDefault(ev);
      var root = document.documentElement;
      if (document.fullscreenElement) {
        document.exitFullscreen().catch(function () { });
      } else if (root.requestFullscreen) {
        root.requestFullscreen().catch(function () { document.body.classList.toggle('ntm-full'); });
      } else {
        document.body.classList.toggle('ntm-full');
      }
      setTimeout(function () { map.invalidateSize(); }, 200);
    });
  });

  // layer panel with groups, year and view selectors
  function toggle(name, on) {
    var e = layers[name];
    e.on = on;
    applyVisibility();
    var box = document.querySelector('input[data-layer="' + name + '"]');
    if (box) { box.checked = on; }
    if (name === 'communes') { styleCommunes(); styleUnits(); }
    buildLegend();
    queueLabels();
  }
  ctrl('topright', function (d) {
    d.className += ' ntm-layers';
    var head = add(d, 'div', 'ntm-panel-head', T.layers);
    var body = add(d, 'div', 'ntm-panel-body');
    head.addEventListener('click', function () { d.classList.toggle('ntm-collapsed'); });
    if (!wide) { d.classList.add('ntm-collapsed'); }
    if (D.years && D.years.length) {
      var yl = add(body, 'label', 'ntm-row');
      add(yl, 'span', null, T.year + ' ');
      var sel = add(yl, 'select', 'ntm-year-select');
      // a period's map: the period stands in its year's place (map --period 2025-Q3)
      D.years.forEach(function (y) { var o = add(sel, 'option', null, D.period && String(y) === D.period.slot ? D.period.label : String(y)); o.value = String(y); });
      sel.value = state.year;
      sel.addEventListener('change', function () { api.setYear(sel.value); });
    }
    if (C && D.kind !== 'result') {
      add(body, 'div', 'ntm-group-head', T.view);
      var views = [[D.kind === 'criterion' ? 'met' : 'count', D.kind === 'criterion' ? T.view_met : T.view_count], ['change', T.view_change]];
      views.forEach(function (v) {
        var l = add(body, 'label', 'ntm-row');
        var r = add(l, 'input');
        r.type = 'radio';
        r.name = 'ntm-view';
        r.value = v[0];
        r.checked = state.view === v[0];
        r.addEventListener('change', function () { if (r.checked) { api.setView(v[0]); } });
        add(l, 'span', null, ' ' + v[1]);
      });
    }
    var groups = [];
    order.forEach(function (n) { if (groups.indexOf(layers[n].group) < 0) { groups.push(layers[n].group); } });
    var bg = T.g_background;
    groups.sort(function (a, b) { return (a === bg) - (b === bg); });
    groups.forEach(function (g) {
      add(body, 'div', 'ntm-group-head', g);
      order.forEach(function (n) {
        if (layers[n].group !== g) { return; }
        var l = add(body, 'label', 'ntm-row');
        var c = add(l, 'input');
        c.type = 'checkbox';
        c.checked = layers[n].on;
        c.setAttribute('data-layer', n);
        c.addEventListener('change', function () { toggle(n, c.checked); });
        add(l, 'span', null, ' ' + layers[n].label);
        if (n === 'projects') {
          var l2 = add(body, 'label', 'ntm-row ntm-indent');
          var c2 = add(l2, 'input');
          c2.type = 'checkbox';
          c2.setAttribute('data-option', 'size');
          c2.addEventListener('change', function () { state.bySize = c2.checked; styleProjects(); buildLegend(); });
          add(l2, 'span', null, ' ' + T.size_by_capital);
        }
      });
    });
  });

  // legend
  var legendBox;
  ctrl('bottomleft', function (d) {
    d.className += ' ntm-legend' + (wide ? ' ntm-legend-wide' : '');
    legendBox = d;
    // on a small screen the legend folds to its heading; a tap opens it
    if (!wide) { d.classList.add('ntm-collapsed'); }
    d.addEventListener('click', function (ev) {
      var t = ev.target;
      if (t.classList.contains('ntm-panel-head')) { d.classList.toggle('ntm-collapsed'); }
      // a section folds to its title on a click (kept when the legend is rebuilt)
      if (t.classList.contains('ntm-legend-title') && t.parentNode.dataset.layer) {
        var n = t.parentNode.dataset.layer;
        foldedSections[n] = !foldedSections[n];
        t.parentNode.classList.toggle('ntm-folded', foldedSections[n]);
      }
    });
  });
  var foldedSections = {};
  function buildLegend() {
    while (legendBox.firstChild) { legendBox.removeChild(legendBox.firstChild); }
    add(legendBox, 'div', 'ntm-panel-head', T.legend);
    var body = add(legendBox, 'div', 'ntm-legend-body');
    var all = [];
    order.forEach(function (n) {
      var e = layers[n];
      if (!e.on || !e.legend || !allowed(n)) { return; }
      var spec = e.legend();
      var sec = add(body, 'div', 'ntm-legend-section' + (foldedSections[n] ? ' ntm-folded' : ''));
      sec.setAttribute('data-layer', n);
      add(sec, 'div', 'ntm-legend-title', spec.title);
      function item(it, kind) {
        var row = add(sec, 'div', 'ntm-legend-item');
        row.setAttribute('data-layer', n);
        row.setAttribute('data-key', it.key);
        row.setAttribute('data-count', String(it.count));
        if (kind === 'letter') {
          add(row, 'span', 'ntm-sw ntm-facility-sw', it.letter);
        } else if (it.shape) {
          row.appendChild(swatch('symbol', it.color, it.shape));
        } else {
          var sw = row.appendChild(swatch(kind, it.color));
          if (kind === 'fill' && HATCH[it.key]) { sw.className += ' ntm-sw-hatch-' + it.key; }
        }
        add(row, 'span', 'ntm-legend-label', it.label);
        add(row, 'span', 'ntm-legend-count', fmt(it.count));
        all.push({ layer: n, key: it.key, label: it.label, count: it.count });
      }
      spec.items.forEach(function (it) { item(it, spec.kind); });
      if (spec.note) { add(sec, 'div', 'ntm-legend-note', spec.note); }
      if (spec.sub && spec.sub.length) {
        var outer = sec;
        sec = add(outer, 'div', 'ntm-legend-grid');
        spec.sub.forEach(function (it) { item(it, 'symbol'); });
        sec = outer;
      }
    });
    if (A && currentLevel() !== 'commune') { add(legendBox, 'div', 'ntm-legend-note', T.zoom_in); }
    else if (A && map.getZoom() < detailZoom()) { add(legendBox, 'div', 'ntm-legend-note', T.zoom_in_detail); }
    if (!wide && (notes.source || notes.attribution)) { addNotes(add(legendBox, 'div', 'ntm-notes ntm-notes-in-legend')); }
    api.legend = all;
  }

  // ---------------------------------------------------------------- state changes
  function restyle() {
    styleCommunes();
    styleUnits();
    styleVillages();
    styleProjects();
    updateTitle();
    buildLegend();
    queueLabels();
  }
  api.setYear = function (y) {
    y = String(y);
    if (D.years && D.years.map(String).indexOf(y) < 0) { throw new Error('unknown year ' + y); }
    state.year = y;
    var sel = document.querySelector('.ntm-year-select');
    if (sel) { sel.value = y; }
    map.closePopup();
    restyle();
  };
  api.setView = function (v) {
    state.view = v;
    document.querySelectorAll('input[name="ntm-view"]').forEach(function (r) { r.checked = r.value === v; });
    styleCommunes();
    styleUnits();
    buildLegend();
  };
  api.state = state;
  api.map = map;
  api.toggle = toggle;
  api.communeKey = communeKey;
  api.projectSizes = function () {
    return projectMarkers.filter(Boolean).map(function (m) { return m.options.icon.options.iconSize[0]; });
  };
  api.projectFills = function () {
    return projectMarkers.filter(Boolean).map(function (m) { return m.options.icon.options.html.querySelector('path').getAttribute('fill'); });
  };
  // page coordinates of a point inside commune i (its label point), for tests and links
  api.communePoint = function (i) {
    var p = map.latLngToContainerPoint(decodeLine(C.lab)[i]);
    var r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  };
  if (!A) { ensureCommunes(); ensureVillages(); ensureProjects(); ensureProjectLines(); }
  api.level = currentLevel;
  api.unitCount = function (level) {
    var li = levelIndex(level);
    return li < 0 || !unitGroups[li] ? 0 : unitGroups[li].polys.length;
  };
  applyVisibility();
  map.on('zoomend', function () { applyVisibility(); buildLegend(); });
  // with levels of detail, build what comes into view
  map.on('moveend', function () { if (A && currentLevel() === 'commune') { applyVisibility(); } });
  // indices of the features built so far (tests)
  api.built = function (name) {
    var lz = { communes: communesLazy, villages: villagesLazy, projects: projectsLazy, project_lines: linesLazy, facilities: facilitiesLazy, roads: roadsLazy }[name];
    return lz ? lz.built() : [];
  };
  restyle();
  map.on('zoomend moveend resize', queueLabels);
  map.on('popupopen', function (ev) {
    var c = ev.popup.getContent && ev.popup._source;
    selectedCommune = c ? communePolys.indexOf(c) : -1;
    queueLabels();
  });
  map.on('popupclose', function () { selectedCommune = -1; queueLabels(); });
  if (cluster) { cluster.on('animationend', queueLabels); }
  placeLabels();
  api.placeLabels = placeLabels;
  // printing (an A4 page, see app.css): the map takes the page's size and shows the area whole
  var printed = false;
  function toPrint(on) {
    if (on === printed) { return; }
    printed = on;
    map.invalidateSize({ animate: false });
    if (on) {
      map.fitBounds(D.bounds, { paddingTopLeft: [320, 20], paddingBottomRight: [10, 50], animate: false });
    }
    placeLabels();
  }
  api.toPrint = toPrint;
  window.addEventListener('beforeprint', function () { toPrint(true); });
  window.addEventListener('afterprint', function () { toPrint(false); });
  if (window.matchMedia) {
    var pm = window.matchMedia('print');
    var onPm = function (ev) { toPrint(ev.matches); };
    if (pm.addEventListener) { pm.addEventListener('change', onPm); } else if (pm.addListener) { pm.addListener(onPm); }
  }
  api.counts.communes = communesLazy ? communesLazy.count() : 0;
  api.counts.villages = villagesLazy ? villagesLazy.count() : 0;
  api.counts.projects = cluster ? cluster.getLayers().length : 0;
  api.counts.project_lines = projectLines.length;
  api.counts.facilities = nF;
  api.counts.roads = nR;
  api.ready = true;
  }
})();
