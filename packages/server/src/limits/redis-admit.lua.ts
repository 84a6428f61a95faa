/**
 * The Lua script behind RedisLimitStore (redis-store.ts builds its arguments and decodes its reply).
 *
 * One call processes a BATCH of operations in order, atomically (Redis runs nothing else while a
 * script runs), and returns one string of packed doubles: every operation's result, back to back.
 * Each operation is thus decided atomically and costs its caller exactly one round trip, however
 * many other operations share the call. Time is always the `now` carried by each operation (the
 * sandbox's virtual clock), never Redis TIME.
 *
 * The source is generated per table SHAPE (how many REQUEST_WEIGHT, RAW_REQUESTS and ORDERS
 * intervals): admit(), the hot path, keeps every window start and count in a Lua local instead of a
 * table (see generateAdmit). Everything else is the same text for every shape; limits, interval
 * lengths and the ban policy are arguments, not code.
 *
 * ---- Keys (P = prefix, e.g. "bsbx:") ---------------------------------------------------------------
 *   P.."ip:"..<len>..":"..<b>    HASH  ip -> the IP's counters: struct-packed little-endian doubles,
 *                                       (windowStart, count) per REQUEST_WEIGHT interval, then per
 *                                       RAW_REQUESTS interval
 *   P.."acct:"..<len>..":"..<b>  HASH  account -> (windowStart, count) per ORDERS interval
 *                                (both bucket hashes also hold "\0bsbx:hashtable", see flush())
 *   P.."bans"                    ZSET  ip scored by bannedUntil: the running bans (ZMSCORE answers
 *                                       "banned?" for a whole batch; liftBans(all) needs no KEYS/SCAN)
 *   P.."strk:"..ip               HASH  strikes of an IP that went over a limit: rj rejections in the
 *                                       violation window, ve its end, bn ordinal of the last ban, bs its
 *                                       start, bu its end (a lift moves it to the lift time), bh the
 *                                       streak's history "start,until,ordinal;…" (≤ 20), bhn its length
 * <len> is a bucket length: a common multiple of the intervals of that kind (default 5M for IPs —
 * 1M and 5M —, 1D for accounts — 10S and 1D), <b> the bucket start (epoch ms). Windows are fixed and
 * aligned (start = now - now % intervalMs), so every window boundary of those intervals falls inside
 * a bucket or on its edge, and no window ever spans two buckets: a record never needs to survive its
 * bucket. Each bucket hash gets PEXPIRE <len> on every write, so idle IPs and accounts vanish with
 * it. A strike hash lives until its violation window ends or, once banned, until the ban count
 * decays (end of the last ban + banCountDecayMs); the bans zset until its latest ban ends.
 *
 * ---- Cost ----------------------------------------------------------------------------------------
 * The hot path touches no per-IP key: one ZMSCORE tells which IPs of the batch are banned, one HMGET
 * reads the records of all IPs and one those of all accounts, the operations run on the packed
 * records (struct.unpack / struct.pack are C), and one HSET + PEXPIRE per bucket writes back what
 * changed: about 7 Redis calls per batch. That is exactly what reading/writing around every
 * operation would give, since nothing else runs meanwhile. Records of a bucket the prefetch did not
 * cover (a batch whose `now`s straddle 3 buckets) are read with HGET on first use. Strike hashes
 * are only read for IPs that go over a limit, and by usage() / liftBans().
 *
 * A stored window only ever moves FORWARD: a request whose `now` is slightly behind the stored
 * window (another gateway's clock, a batch overtaken on the wire) counts in the stored, newer window
 * instead of wiping it (across a bucket boundary it lands in its own, older bucket). With one clock
 * that never goes back this is exactly fixed aligned windows.
 *
 * ---- ARGV ----------------------------------------------------------------------------------------
 *   P, minNow, maxNow                 (span of the batch's `now`s: the buckets to prefetch)
 *   nIps, ip×nIps, nAccounts, account×nAccounts    (distinct names; operations refer to them by index)
 *   ipBucketMs, ipBucketKeyBase (P.."ip:5M:"), accountBucketMs, accountBucketKeyBase
 *   nW, (ms, limit)×nW      REQUEST_WEIGHT intervals (LimitTable order)
 *   nR, (ms, limit)×nR      RAW_REQUESTS
 *   nO, (ms, limit)×nO      ORDERS
 *   K, firstBanMs, maxBanMs, banCountDecayMs                              (BanPolicy)
 *   operations: ONE binary string, 7 little-endian doubles per operation (unused ones 0), read with
 *   struct.unpack — far cheaper on both sides than an argument per number. ip / acct are 1-based
 *   indexes into the name lists above:
 *     1 ADMIT   now ip weight acct(0: ORDERS not consulted) orders weightOnOrderReject
 *     2 CHARGE  now ip weight          3 PEEK    now ip
 *     4 ADJUST  now acct delta         5 ORDERS  now acct
 *     6 USAGE   now ip                 7 LIFT    now ip (0: every banned IP)
 *
 * ---- Reply: ONE binary string of little-endian doubles, per operation ------------------------------
 *   (w = used weight ×nW, c = order counts ×nO)
 *   ADMIT  0 w                 ok (ORDERS not consulted)
 *          4 w c               ok, this request's orders counted
 *          1 w retryAfterMs limitedType(0 REQUEST_WEIGHT | 1 RAW_REQUESTS) limitedIndex   ip-limited
 *          2 w retryAfterMs bannedUntil                                                   banned
 *          3 w c limitedIndex  orders-limited (index of the refusing ORDERS interval)
 *   CHARGE / PEEK  w           ADJUST / ORDERS  c           LIFT  number of bans lifted
 *   USAGE  raw×nR w rejections banned(0|1) banStart banUntil banOrdinal historyLength
 *          (start until ordinal)×historyLength
 */

/** How many intervals of each limiter type a table has: what the generated source depends on. */
export interface LimitShape {
  readonly requestWeight: number;
  readonly rawRequests: number;
  readonly orders: number;
}

/** The script for a table of this shape. */
export function redisLimitsLua(shape: LimitShape): string {
  const { requestWeight: nW, rawRequests: nR, orders: nO } = shape;
  for (const n of [nW, nR, nO]) {
    if (!Number.isSafeInteger(n) || n < 0 || n > 16) throw new RangeError('a limiter type has 0 to 16 intervals');
  }
  return `${PRELUDE}
local GEN_W, GEN_R, GEN_O = ${nW}, ${nR}, ${nO}
if nW ~= GEN_W or nR ~= GEN_R or nO ~= GEN_O then
  return redis.error_reply('bsbx limits: script generated for another limit table shape')
end
${generateAdmit(nW, nR, nO)}${EPILOGUE}`;
}

/**
 * admit() for one shape. Window starts and counts live in locals W<k>S/W<k>C (REQUEST_WEIGHT),
 * R<k>S/R<k>C (RAW_REQUESTS) and O<k>S/O<k>C (ORDERS), unpacked from and packed back into the
 * records: no table per record, no loop over intervals.
 */
function generateAdmit(nW: number, nR: number, nO: number): string {
  const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const ipVars = [...ks(nW).flatMap((k) => [`W${k}S`, `W${k}C`]), ...ks(nR).flatMap((k) => [`R${k}S`, `R${k}C`])];
  const acVars = ks(nO).flatMap((k) => [`O${k}S`, `O${k}C`]);
  const lines = (xs: string[], indent: string) => xs.map((x) => `${indent}${x}\n`).join('');
  const unpackInto = (vars: string[], fmt: string, src: string) =>
    vars.length > 0 ? `local ${vars.join(', ')} = struct.unpack(${fmt}, ${src})` : `-- (no intervals)`;
  const pack = (fmt: string, vars: string[]) => `struct.pack(${[fmt, ...vars].join(', ')})`;
  const outWeights = ks(nW).map((k) => `n = n + 1; R[n] = W${k}C`);
  const outOrders = ks(nO).map((k) => `n = n + 1; R[n] = O${k}C`);
  const countW = ks(nW).flatMap((k) => [
    `ms = wMs[${k}]; ws = now - now % ms`,
    `if ws > W${k}S then W${k}S = ws; W${k}C = weight else W${k}C = W${k}C + weight end`,
    `if W${k}C > wLim[${k}] then local e = W${k}S + ms; if e > blockEnd then blockEnd = e; bType = 0; bIdx = ${k - 1} end end`,
  ]);
  const countR = ks(nR).flatMap((k) => [
    `ms = rMs[${k}]; ws = now - now % ms`,
    `if ws > R${k}S then R${k}S = ws; R${k}C = 1 else R${k}C = R${k}C + 1 end`,
    `if R${k}C > rLim[${k}] then local e = R${k}S + ms; if e > blockEnd then blockEnd = e; bType = 1; bIdx = ${k - 1} end end`,
  ]);
  const checkO = ks(nO).flatMap((k) => [
    `ms = oMs[${k}]; ws = now - now % ms`,
    `if ws > O${k}S then O${k}S = ws; O${k}C = 0 end`,
    `if O${k}C + orders > oLim[${k}] then local e = O${k}S + ms; if e > oEnd then oEnd = e; oIdx = ${k - 1} end end`,
  ]);
  const bannedWeights = ks(nW).map(
    (k) => `n = n + 1; if W${k}S >= now - now % wMs[${k}] then R[n] = W${k}C else R[n] = 0 end`,
  );
  return `
-- ---- admit (generated for ${nW} REQUEST_WEIGHT, ${nR} RAW_REQUESTS, ${nO} ORDERS intervals) ---------
local function admit(now, ip, weight, acct, orders, wrej)
  local Bk = bucketOf(IPB, now)
  ${unpackInto(ipVars, 'IP_FMT', 'raw(IPB, Bk, ip)')}
  local bu = BU[ip]
  if bu == nil then bu = bannedUntil(ip) end
  if bu and bu > now then
    -- 418: banned, nothing counted
    n = n + 1; R[n] = 2
${lines(bannedWeights, '    ')}    n = n + 1; R[n] = bu - now; n = n + 1; R[n] = bu
    return
  end
  -- count on every REQUEST_WEIGHT / RAW_REQUESTS interval; remember the exhausted interval that
  -- resets last (ties: REQUEST_WEIGHT before RAW_REQUESTS, then table order)
  local blockEnd, bType, bIdx = -1, -1, -1
  local ms, ws
${lines(countW, '  ')}${lines(countR, '  ')}  if bType >= 0 then
    put(IPB, Bk, ip, ${pack('IP_FMT', ipVars)})
    local head = n + 1
    n = head
${lines(outWeights, '    ')}    overLimit(ip, now, blockEnd, bType, bIdx, head)
    return
  end
  if acct and orders > 0 then
    local ABk = bucketOf(ACB, now)
    ${unpackInto(acVars, 'AC_FMT', 'raw(ACB, ABk, acct)')}
    local oEnd, oIdx = -1, -1
${lines(checkO, '    ')}    if oIdx >= 0 then
      -- 429 -1015: order counts untouched; the failed order-entry request pays its weight
${lines(
  ks(nW).map((k) => `W${k}C = W${k}C + wrej`),
  '      ',
)}      put(IPB, Bk, ip, ${pack('IP_FMT', ipVars)})
      put(ACB, ABk, acct, ${pack('AC_FMT', acVars)})
      n = n + 1; R[n] = 3
${lines([...outWeights, ...outOrders], '      ')}      n = n + 1; R[n] = oIdx
      return
    end
${lines(
  ks(nO).map((k) => `O${k}C = O${k}C + orders`),
  '    ',
)}    put(ACB, ABk, acct, ${pack('AC_FMT', acVars)})
    put(IPB, Bk, ip, ${pack('IP_FMT', ipVars)})
    n = n + 1; R[n] = 4
${lines([...outWeights, ...outOrders], '    ')}    return
  end
  put(IPB, Bk, ip, ${pack('IP_FMT', ipVars)})
  n = n + 1; R[n] = 0
${lines(outWeights, '  ')}end
`;
}

/** Everything before admit(): arguments, configuration, bucket cache, prefetch, bans, strikes. */
const PRELUDE = `
local A = ARGV
local P = A[1]
local minNow = tonumber(A[2]); local maxNow = tonumber(A[3])
local p = 4
local nIps = tonumber(A[p]); p = p + 1
local IPS = {}
for i = 1, nIps do IPS[i] = A[p]; p = p + 1 end
local nAcs = tonumber(A[p]); p = p + 1
local ACS = {}
for i = 1, nAcs do ACS[i] = A[p]; p = p + 1 end
local IP_BUCKET = tonumber(A[p]); local IP_BASE = A[p + 1]
local AC_BUCKET = tonumber(A[p + 2]); local AC_BASE = A[p + 3]
p = p + 4

-- ---- configuration ---------------------------------------------------------------------------
local nW = tonumber(A[p]); p = p + 1
local wMs, wLim = {}, {}
for k = 1, nW do wMs[k] = tonumber(A[p]); wLim[k] = tonumber(A[p + 1]); p = p + 2 end
local nR = tonumber(A[p]); p = p + 1
local rMs, rLim = {}, {}
for k = 1, nR do rMs[k] = tonumber(A[p]); rLim[k] = tonumber(A[p + 1]); p = p + 2 end
local nO = tonumber(A[p]); p = p + 1
local oMs, oLim = {}, {}
for k = 1, nO do oMs[k] = tonumber(A[p]); oLim[k] = tonumber(A[p + 1]); p = p + 2 end
local K = tonumber(A[p]); local FIRST_BAN = tonumber(A[p + 1])
local MAX_BAN = tonumber(A[p + 2]); local DECAY = tonumber(A[p + 3])
local OPS = A[p + 4]
local BANS = P .. 'bans'
local HISTORY_MAX = 20

-- IP record: REQUEST_WEIGHT interval k at (2k-1, 2k), RAW_REQUESTS interval k at (RO+2k-1, RO+2k);
-- account record: ORDERS interval k at (2k-1, 2k). Stored packed: struct format, length, zeros.
local RO = 2 * nW
local NIPF = 2 * nW + 2 * nR
local NACF = 2 * nO
local IP_FMT = '<' .. string.rep('d', NIPF)
local AC_FMT = '<' .. string.rep('d', NACF)

-- ---- bucket hashes -------------------------------------------------------------------------------
-- G (one per kind) = { ms, base, fmt, nf, len, zero, all = {start -> Bk}, list, b, cur }
-- Bk (one per bucket touched) = { key, r = {name -> packed record | false (none)}, d = {name -> true}, dirty }
local function newKind(ms, base, fmt, nf)
  local zeros = {}
  for f = 1, nf do zeros[f] = 0 end
  return { ms = ms, base = base, fmt = fmt, nf = nf, len = 8 * nf, zero = struct.pack(fmt, unpack(zeros)),
           all = {}, list = {}, b = -1, cur = nil }
end
local IPB = newKind(IP_BUCKET, IP_BASE, IP_FMT, NIPF)
local ACB = newKind(AC_BUCKET, AC_BASE, AC_FMT, NACF)

local function bucketAt(G, b)
  local Bk = G.all[b]
  if Bk == nil then
    Bk = { key = G.base .. string.format('%d', b), r = {}, d = {}, dirty = false }
    G.all[b] = Bk
    G.list[#G.list + 1] = Bk
  end
  G.b = b; G.cur = Bk
  return Bk
end
-- The bucket of now (the last one used is remembered: batches rarely straddle buckets).
local function bucketOf(G, now)
  local b = now - now % G.ms
  if b == G.b then return G.cur end
  return bucketAt(G, b)
end
-- The packed record of name in Bk, zeros when there is none (HGET when the prefetch did not load it).
local function raw(G, Bk, name)
  local v = Bk.r[name]
  if v == nil then
    v = redis.call('HGET', Bk.key, name)
    if not (v and #v == G.len) then v = false end
    Bk.r[name] = v
  end
  return v or G.zero
end
local function put(G, Bk, name, packed)
  Bk.r[name] = packed; Bk.d[name] = true; Bk.dirty = true
end
-- For the rarer operations: the record as a table (plus a trailing position, ignored), and back.
local function record(G, now, name)
  local Bk = bucketOf(G, now)
  return { struct.unpack(G.fmt, raw(G, Bk, name)) }, Bk
end
local function store(G, Bk, name, t)
  put(G, Bk, name, struct.pack(G.fmt, unpack(t, 1, G.nf)))
end
-- Prefetch the records of every name of the batch from the buckets of minNow and maxNow.
local function prefetch(G, names, count)
  if count == 0 then return end
  local b1 = minNow - minNow % G.ms
  local b2 = maxNow - maxNow % G.ms
  local len = G.len
  for _, b in ipairs(b1 == b2 and { b1 } or { b1, b2 }) do
    local Bk = bucketAt(G, b)
    local vals = redis.call('HMGET', Bk.key, unpack(names))
    local r = Bk.r
    for k = 1, count do
      local v = vals[k]
      if v and #v == len then r[names[k]] = v else r[names[k]] = false end
    end
  end
end
prefetch(IPB, IPS, nIps)
prefetch(ACB, ACS, nAcs)

-- ---- bans: BU[ip] = bannedUntil of a running ban (false: none) --------------------------------------
local BU = {}
if nIps > 0 then
  local scores = redis.call('ZMSCORE', BANS, unpack(IPS))
  for i = 1, nIps do BU[IPS[i]] = tonumber(scores[i]) or false end
end
local function bannedUntil(ip)
  local bu = BU[ip]
  if bu == nil then bu = tonumber(redis.call('ZSCORE', BANS, ip)) or false; BU[ip] = bu end
  return bu
end

-- strike hashes, loaded on demand: ST[ip] = { rj, ve, bn, bs, bu, bhn, bh, dirty, now }
local ST = {}
local function strikes(ip)
  local s = ST[ip]
  if s then return s end
  local v = redis.call('HMGET', P .. 'strk:' .. ip, 'rj', 've', 'bn', 'bs', 'bu', 'bhn', 'bh')
  s = { rj = tonumber(v[1]) or 0, ve = tonumber(v[2]) or 0, bn = tonumber(v[3]) or 0, bs = tonumber(v[4]) or 0,
        bu = tonumber(v[5]) or 0, bhn = tonumber(v[6]) or 0, bh = v[7] or '', dirty = false, now = 0 }
  ST[ip] = s
  return s
end
local function touch(s, now) s.dirty = true; if now > s.now then s.now = now end end

local function startBan(ip, s, now)
  local ordinal
  if s.bn == 0 or now - s.bu >= DECAY then
    ordinal = 1; s.bh = ''; s.bhn = 0        -- a new streak: never banned, or the count has decayed
  else
    ordinal = s.bn + 1
  end
  local dur = FIRST_BAN * 2 ^ (ordinal - 1)
  if dur > MAX_BAN then dur = MAX_BAN end
  local untilT = now + dur
  s.bn = ordinal; s.bs = now; s.bu = untilT; s.rj = 0
  local rec = string.format('%d,%d,%d', now, untilT, ordinal)
  if s.bhn == 0 then s.bh = rec; s.bhn = 1
  else
    s.bh = s.bh .. ';' .. rec; s.bhn = s.bhn + 1
    while s.bhn > HISTORY_MAX do
      s.bh = string.sub(s.bh, string.find(s.bh, ';', 1, true) + 1); s.bhn = s.bhn - 1
    end
  end
  touch(s, now)
  BU[ip] = untilT
  redis.call('ZADD', BANS, untilT, ip)
  if redis.call('PTTL', BANS) < dur then redis.call('PEXPIRE', BANS, dur) end
  return dur, untilT
end

-- End a running ban at now; the history keeps it, with its end moved to now.
local function lift(ip, now)
  local bu = bannedUntil(ip)
  if not bu or bu <= now then return 0 end
  BU[ip] = false
  redis.call('ZREM', BANS, ip)
  local s = strikes(ip)
  s.bu = now
  if s.bhn > 0 then
    local head, last = '', s.bh
    local cut = string.find(s.bh, ';[^;]*$')
    if cut then head = string.sub(s.bh, 1, cut); last = string.sub(s.bh, cut + 1) end
    local st, _, ord = string.match(last, '^([^,]*),([^,]*),([^,]*)$')
    if st then s.bh = head .. st .. ',' .. string.format('%d', now) .. ',' .. ord end
  end
  touch(s, now)
  return 1
end

-- ---- output ---------------------------------------------------------------------------------
local R, n = {}, 0

-- Current-window values of the pairs (start, count) at rec[base+1 ..], read only.
local function outCounts(rec, base, ms, count, now)
  for k = 1, count do
    local o = base + 2 * k - 1
    local m = ms[k]
    n = n + 1
    if rec[o] >= now - now % m then R[n] = rec[o + 1] else R[n] = 0 end
  end
end
-- Add x to the pairs at rec[base+1 ..] in the current windows (rolling forward), and output them.
local function addCounts(rec, base, ms, count, now, x)
  for k = 1, count do
    local o = base + 2 * k - 1
    local ws = now - now % ms[k]
    local c
    if ws > rec[o] then rec[o] = ws; c = x else c = rec[o + 1] + x end
    rec[o + 1] = c
    n = n + 1; R[n] = c
  end
end

-- An admitted-then-counted request is over a limit: 429, or the 418 that starts a ban. The outcome
-- goes to R[head] (the used weights already follow it).
local function overLimit(ip, now, blockEnd, bType, bIdx, head)
  local s = strikes(ip)
  touch(s, now)
  -- a new violation window restarts the rejection count
  if now >= s.ve then s.rj = 0; s.ve = blockEnd end
  if s.rj >= K then
    local dur, untilT = startBan(ip, s, now)
    R[head] = 2
    n = n + 1; R[n] = dur; n = n + 1; R[n] = untilT
  else
    s.rj = s.rj + 1
    R[head] = 1
    n = n + 1; R[n] = blockEnd - now; n = n + 1; R[n] = bType; n = n + 1; R[n] = bIdx
  end
end
`;

/** Everything after admit(): the other operations, the operation loop, write-back, reply. */
const EPILOGUE = `

local function usage(now, ip)
  local rec = record(IPB, now, ip)
  outCounts(rec, RO, rMs, nR, now)
  outCounts(rec, 0, wMs, nW, now)
  local s = strikes(ip)
  n = n + 1; if now >= s.ve then R[n] = 0 else R[n] = s.rj end
  local bu = bannedUntil(ip)
  if bu and bu > now then
    n = n + 1; R[n] = 1; n = n + 1; R[n] = s.bs; n = n + 1; R[n] = bu; n = n + 1; R[n] = s.bn
  else
    n = n + 1; R[n] = 0; n = n + 1; R[n] = 0; n = n + 1; R[n] = 0; n = n + 1; R[n] = 0
  end
  if s.bn == 0 or s.bhn == 0 or now - s.bu >= DECAY then
    n = n + 1; R[n] = 0                       -- the streak has decayed (or there never was one)
  else
    n = n + 1; R[n] = s.bhn
    for st, un, ord in string.gmatch(s.bh, '([^,;]+),([^,;]+),([^,;]+)') do
      n = n + 1; R[n] = tonumber(st); n = n + 1; R[n] = tonumber(un); n = n + 1; R[n] = tonumber(ord)
    end
  end
end

-- One 429 rejection of ip that is not a counted request (WebSocket connection attempts over the
-- limit, disconnects for too many messages): returns the ban it starts (duration, until), or false.
local function rejectOnly(ip, now, blockEnd)
  local s = strikes(ip)
  touch(s, now)
  if now >= s.ve then s.rj = 0; s.ve = blockEnd end
  if s.rj >= K then
    return startBan(ip, s, now)
  end
  s.rj = s.rj + 1
  return false
end

local OP_FMT = '<ddddddd'
local pos, opsEnd = 1, #OPS
while pos <= opsEnd do
  local op, now, x1, x2, x3, x4, x5
  op, now, x1, x2, x3, x4, x5, pos = struct.unpack(OP_FMT, OPS, pos)
  if op == 1 then
    admit(now, IPS[x1], x2, x3 > 0 and ACS[x3], x4, x5)
  elseif op == 2 then
    local ip = IPS[x1]
    local rec, Bk = record(IPB, now, ip)
    addCounts(rec, 0, wMs, nW, now, x2)
    store(IPB, Bk, ip, rec)
  elseif op == 3 then
    outCounts(record(IPB, now, IPS[x1]), 0, wMs, nW, now)
  elseif op == 4 then
    local acct = ACS[x1]
    local a, ABk = record(ACB, now, acct)
    local changed = false
    for k = 1, nO do
      local o = 2 * k - 1
      local ws = now - now % oMs[k]
      local old = 0
      if ws > a[o] then a[o] = ws; a[o + 1] = 0; changed = true else old = a[o + 1] end
      local c = old + x2; if c < 0 then c = 0 end
      if c ~= old then a[o + 1] = c; changed = true end
      n = n + 1; R[n] = c
    end
    if changed then store(ACB, ABk, acct, a) end
  elseif op == 5 then
    outCounts(record(ACB, now, ACS[x1]), 0, oMs, nO, now)
  elseif op == 6 then
    usage(now, IPS[x1])
  elseif op == 7 then
    local lifted = 0
    if x1 > 0 then
      lifted = lift(IPS[x1], now)
    else
      local banned = redis.call('ZRANGEBYSCORE', BANS, '(' .. string.format('%d', now), '+inf')
      for _, ip in ipairs(banned) do lifted = lifted + lift(ip, now) end
      redis.call('ZREMRANGEBYSCORE', BANS, '-inf', string.format('%d', now))
    end
    n = n + 1; R[n] = lifted
  elseif op == 8 then
    -- admitConnection: x1 ip, x2 limit, x3 window ms. Reply: code (0 ok, 1 limited, 2 banned),
    -- attempts, retryAfterMs, bannedUntil.
    local ip = IPS[x1]
    local ws = now - now % x3
    local we = ws + x3
    local key = P .. 'wsc:' .. ip
    local v = redis.call('HMGET', key, 's', 'c')
    local cc = tonumber(v[2]) or 0
    if tonumber(v[1]) ~= ws then cc = 0 end
    local bu = bannedUntil(ip)
    if bu and bu > now then
      n = n + 1; R[n] = 2; n = n + 1; R[n] = cc; n = n + 1; R[n] = bu - now; n = n + 1; R[n] = bu
    else
      cc = cc + 1
      redis.call('HSET', key, 's', string.format('%d', ws), 'c', cc)
      redis.call('PEXPIRE', key, math.floor(x3))
      if cc <= x2 then
        n = n + 1; R[n] = 0; n = n + 1; R[n] = cc; n = n + 1; R[n] = 0; n = n + 1; R[n] = 0
      else
        local dur, untilT = rejectOnly(ip, now, we)
        if dur then
          n = n + 1; R[n] = 2; n = n + 1; R[n] = cc; n = n + 1; R[n] = dur; n = n + 1; R[n] = untilT
        else
          n = n + 1; R[n] = 1; n = n + 1; R[n] = cc; n = n + 1; R[n] = we - now; n = n + 1; R[n] = 0
        end
      end
    end
  elseif op == 9 then
    -- strike: x1 ip, x2 window ms. Reply: code (0 counted, 2 banned), retryAfterMs, bannedUntil.
    local ip = IPS[x1]
    local bu = bannedUntil(ip)
    if bu and bu > now then
      n = n + 1; R[n] = 2; n = n + 1; R[n] = bu - now; n = n + 1; R[n] = bu
    else
      local dur, untilT = rejectOnly(ip, now, now - now % x2 + x2)
      if dur then
        n = n + 1; R[n] = 2; n = n + 1; R[n] = dur; n = n + 1; R[n] = untilT
      else
        n = n + 1; R[n] = 0; n = n + 1; R[n] = 0; n = n + 1; R[n] = 0
      end
    end
  else
    return redis.error_reply('bsbx limits: unknown op ' .. tostring(op))
  end
end

-- ---- write back what changed: one HSET + PEXPIRE per bucket hash -----------------------------------
-- Every write of a bucket also stores HT_FIELD, whose value is longer than Redis' default
-- hash-max-listpack-value (64): the hash is a real hash table from its first write on. Left to grow
-- as a listpack (up to hash-max-listpack-entries, 128 by default, often raised to 512), a bucket of a
-- few hundred IPs would be scanned linearly on every field read and rewritten on every write.
local HT_FIELD = '\\0bsbx:hashtable'
local HT_VALUE = string.rep('-', 80)
local function flush(G)
  for _, Bk in ipairs(G.list) do
    if Bk.dirty then
      local t, k = { HT_FIELD, HT_VALUE }, 2
      local r = Bk.r
      for name in pairs(Bk.d) do
        t[k + 1] = name; t[k + 2] = r[name]; k = k + 2
        if k >= 2000 then redis.call('HSET', Bk.key, unpack(t, 1, k)); k = 0 end
      end
      if k > 0 then redis.call('HSET', Bk.key, unpack(t, 1, k)) end
      redis.call('PEXPIRE', Bk.key, G.ms)
    end
  end
end
flush(IPB)
flush(ACB)
for ip, s in pairs(ST) do
  if s.dirty then
    local key = P .. 'strk:' .. ip
    redis.call('HSET', key, 'rj', s.rj, 've', s.ve, 'bn', s.bn, 'bs', s.bs, 'bu', s.bu, 'bhn', s.bhn, 'bh', s.bh)
    -- rejections matter until the violation window ends; bans until the ban count decays
    local horizon = s.ve
    if s.bn > 0 and s.bu + DECAY > horizon then horizon = s.bu + DECAY end
    local ttl = horizon - s.now
    if ttl < 1 then ttl = 1 end
    redis.call('PEXPIRE', key, math.floor(ttl))
  end
end

-- ---- reply: the results as packed doubles (chunks keep unpack() within Lua's C stack) -------------
local parts = {}
local CHUNK = 512
local FULL = '<' .. string.rep('d', CHUNK)
for i = 1, n, CHUNK do
  local j = i + CHUNK - 1
  if j > n then j = n end
  local fmt = FULL
  if j - i + 1 < CHUNK then fmt = '<' .. string.rep('d', j - i + 1) end
  parts[#parts + 1] = struct.pack(fmt, unpack(R, i, j))
end
return table.concat(parts)
`;

/** The script for Binance's default table (1 REQUEST_WEIGHT, 1 RAW_REQUESTS, 2 ORDERS intervals). */
export const REDIS_LIMITS_LUA = redisLimitsLua({ requestWeight: 1, rawRequests: 1, orders: 2 });
