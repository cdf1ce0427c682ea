"""The Lua scripts that make the frontier and the dedupe claims atomic across workers.

Each runs inside Redis as one command, so two workers never interleave within one: a request
is in the frontier or leased to exactly one worker, a fingerprint is scheduled once, and the
members of a story are checked and claimed one after the other. ``ARGV[1]`` is always the crawl
prefix (:attr:`CrawlKeys.crawl`); key names are built inside the scripts from it (one Redis
server, not Redis Cluster).

Leases are stored as ``<score>\\n<serialised request>`` so that a dead worker's leases go back
into the frontier with their priority.
"""

from __future__ import annotations

# Requeue every lease of worker `w`, forget the worker. Shared by several scripts.
_REQUEUE = """
local function requeue(C, w)
  local leases = C .. ':leases:' .. w
  local all = redis.call('HGETALL', leases)
  local n = 0
  for i = 1, #all, 2 do
    local v = all[i + 1]
    local nl = string.find(v, '\\n', 1, true)
    redis.call('ZADD', C .. ':requests', string.sub(v, 1, nl - 1), string.sub(v, nl + 1))
    n = n + 1
  end
  redis.call('DEL', leases, C .. ':held:' .. w, C .. ':round:' .. w, C .. ':heldid:' .. w)
  redis.call('SREM', C .. ':workers', w)
  redis.call('SREM', C .. ':idle', w)
  return n
end
-- Requeue the leases of every registered worker whose heartbeat key expired.
local function reap(C, me)
  local n = 0
  for _, w in ipairs(redis.call('SMEMBERS', C .. ':workers')) do
    if w ~= me and redis.call('EXISTS', C .. ':alive:' .. w) == 0 then
      n = n + requeue(C, w)
    end
  end
  return n
end
-- The held article `id` of worker `w` was judged (or will never be): out of the release order.
local function unhold(C, w, id)
  local key = redis.call('HGET', C .. ':heldid:' .. w, id)
  if key then
    redis.call('ZREM', C .. ':held:' .. w, key)
    redis.call('ZREM', C .. ':round:' .. w, key)
    redis.call('HDEL', C .. ':heldid:' .. w, id)
  end
end
-- ARGV[first]: article links this worker found since it last said; ARGV[first + 1:]: the
-- leases it finished. Counted in the same step as the leases end, so once no lease is left
-- anywhere the crawl's count of links is complete.
local function ack(C, me, first)
  local links = tonumber(ARGV[first])
  if links > 0 then redis.call('INCRBY', C .. ':links', links) end
  local leases = C .. ':leases:' .. me
  for i = first + 1, #ARGV do redis.call('HDEL', leases, ARGV[i]) end
end
"""

BEFORE = """
-- Whether place a comes before place b (precedence keys, see dedupe.precedence_key), byte by
-- byte: Lua's < on strings follows the server's locale (strcoll).
local function before(a, b)
  if a == b then return false end
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
"""
"""A Lua function shared by the scripts that compare places in publication order."""

JOIN = """
local C, me, ttl = ARGV[1], ARGV[2], ARGV[3]
redis.call('SADD', C .. ':workers', me)
redis.call('SET', C .. ':alive:' .. me, '1', 'EX', ttl)
return redis.call('ZCARD', C .. ':requests')
"""
"""Register a worker and start its heartbeat key. Returns the frontier's size."""

BEAT = _REQUEUE + """
local C, me, ttl = ARGV[1], ARGV[2], ARGV[3]
redis.call('SET', C .. ':alive:' .. me, '1', 'EX', ttl)
redis.call('SADD', C .. ':workers', me)
ack(C, me, 4)
return {redis.call('ZCARD', C .. ':requests'), tonumber(redis.call('GET', C .. ':links') or 0)}
"""
"""Renew the heartbeat key, count ``ARGV[4]`` more links and finish the leases in ``ARGV[5:]``.
Returns the frontier's size and the article links the whole crawl found so far."""

POP = _REQUEUE + """
local C, me = ARGV[1], ARGV[2]
ack(C, me, 3)
local got = redis.call('ZRANGE', C .. ':requests', 0, 0, 'WITHSCORES')
if #got == 0 then return false end
redis.call('ZREM', C .. ':requests', got[1])
redis.call('SREM', C .. ':idle', me)  -- crawling again: the release barrier waits for it
local id = redis.call('INCR', C .. ':lease_seq')
redis.call('HSET', C .. ':leases:' .. me, id, got[2] .. '\\n' .. got[1])
return {id, got[1]}
"""
"""Count ``ARGV[3]`` more links, finish the leases in ``ARGV[4:]``, then move the first request
of the frontier into this worker's leases (the worker is crawling: no longer idle for the
release barrier, :data:`BARRIER`). Returns ``[lease id, data]`` or nil."""

ENQUEUE = """
local C, fp, score, data = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if fp ~= '' and redis.call('SADD', C .. ':dupefilter', fp) == 0 then return 0 end
redis.call('ZADD', C .. ':requests', score, data)
return 1
"""
"""Schedule a request unless its fingerprint was seen (``fp`` empty: ``dont_filter``).
One round trip where scrapy-redis takes two (``SADD`` then ``ZADD``)."""

STATUS = _REQUEUE + """
local C, me = ARGV[1], ARGV[2]
ack(C, me, 3)
local requeued = reap(C, me)
local busy = 0
for _, w in ipairs(redis.call('SMEMBERS', C .. ':workers')) do
  if w ~= me then busy = busy + redis.call('HLEN', C .. ':leases:' .. w) end
end
local seeding = 0
local seeder = redis.call('GET', C .. ':seeded')
if seeder and seeder ~= 'done' and redis.call('EXISTS', C .. ':alive:' .. seeder) == 1 then
  seeding = 1
end
return {redis.call('ZCARD', C .. ':requests'), busy, requeued, seeding,
        tonumber(redis.call('GET', C .. ':links') or 0)}
"""
"""An idle worker's question: is the crawl over? Counts ``ARGV[3]`` more links, finishes the
leases in ``ARGV[4:]``, requeues the leases of dead workers, and returns ``[queued, leased by
the other workers, requeued, seeding, links]``. The asking worker's own leases do not count:
it is idle, so those it still has are pages whose articles it holds (see
:class:`~newscrawl.distributed.member.ClusterMember`), which yield no more requests."""

LEAVE = _REQUEUE + """
local C, me, finished = ARGV[1], ARGV[2], ARGV[3]
ack(C, me, 4)
local requeued = requeue(C, me)
redis.call('DEL', C .. ':alive:' .. me)
local links = tonumber(redis.call('GET', C .. ':links') or 0)
if finished ~= '1' then return {requeued, 0, links} end
reap(C, me)
if redis.call('SCARD', C .. ':workers') > 0 or redis.call('ZCARD', C .. ':requests') > 0 then
  return {requeued, 0, links}
end
redis.call('DEL', C .. ':requests', C .. ':dupefilter', C .. ':seeded', C .. ':workers',
           C .. ':lease_seq', C .. ':claims', C .. ':prec', C .. ':urls', C .. ':bodies',
           C .. ':sigs', C .. ':links', C .. ':idle')
return {requeued, 1, links}
"""
"""A worker stops: count ``ARGV[4]`` more links, finish the leases in ``ARGV[5:]``, give back
the others, unregister. When it finished (``ARGV[3]`` = 1) and no worker and no request is
left, delete the crawl's keys. Returns ``[requeued, cleared, links of the whole crawl]``."""

BARRIER = _REQUEUE + """
local C, me = ARGV[1], ARGV[2]
local held, heldid = C .. ':held:' .. me, C .. ':heldid:' .. me
for i = 3, #ARGV - 1, 2 do
  redis.call('ZADD', held, 0, ARGV[i + 1])
  redis.call('HSET', heldid, ARGV[i], ARGV[i + 1])
end
redis.call('SADD', C .. ':idle', me)
local requeued = reap(C, me)
local function crawling()
  if redis.call('ZCARD', C .. ':requests') > 0 then return true end
  local seeder = redis.call('GET', C .. ':seeded')
  if seeder and seeder ~= 'done' and redis.call('EXISTS', C .. ':alive:' .. seeder) == 1 then
    return true
  end
  for _, w in ipairs(redis.call('SMEMBERS', C .. ':workers')) do
    if redis.call('SISMEMBER', C .. ':idle', w) == 0 then return true end
  end
  return false
end
if not crawling() then
  -- Everyone is done crawling: seal the round, every worker's held articles at once.
  for _, w in ipairs(redis.call('SMEMBERS', C .. ':workers')) do
    local h = C .. ':held:' .. w
    if redis.call('EXISTS', h) == 1 then
      redis.call('ZUNIONSTORE', C .. ':round:' .. w, 2, C .. ':round:' .. w, h)
      redis.call('DEL', h)
    end
  end
end
return {redis.call('EXISTS', C .. ':round:' .. me), requeued}
"""
"""The release barrier (:mod:`newscrawl.distributed.release`). A worker that is idle registers
the articles it held since it last said (``ARGV[3:]``: ``id, place`` pairs, places as
:func:`~newscrawl.distributed.dedupe.precedence_key`) and says it is idle; when no live worker
is crawling any more (the frontier empty, the seeds scheduled, every worker idle), the held
articles of every worker are sealed into one round, in one step. Returns ``[1 when this worker
has sealed articles to release, requeued]`` (dead workers' leases put back on the way)."""

AHEAD = _REQUEUE + BEFORE + """
local C, me = ARGV[1], ARGV[2]
local requeued = reap(C, me)
local first = ''
for _, w in ipairs(redis.call('SMEMBERS', C .. ':workers')) do
  if w ~= me then
    local got = redis.call('ZRANGE', C .. ':round:' .. w, 0, 0)
    if #got > 0 and (first == '' or before(got[1], first)) then first = got[1] end
  end
end
return {first, requeued}
"""
"""The earliest place among the sealed articles the *other* live workers have not had judged
yet (``''``: none), after putting back the leases of dead workers (and forgetting their held
articles)."""

UNHOLD = _REQUEUE + """
local C, me = ARGV[1], ARGV[2]
if #ARGV == 2 then
  redis.call('DEL', C .. ':held:' .. me, C .. ':round:' .. me, C .. ':heldid:' .. me)
else
  for i = 3, #ARGV do unhold(C, me, ARGV[i]) end
end
return 1
"""
"""Take articles of this worker out of the release order: those in ``ARGV[3:]``, or all."""

SEED = """
local C, me = ARGV[1], ARGV[2]
if redis.call('SET', C .. ':seeded', me, 'NX') then return '' end
return redis.call('GET', C .. ':seeded')
"""
"""Claim the seeds: returns ``''`` to the one worker that requests them, else the holder."""

SEEDED = """
local C, me = ARGV[1], ARGV[2]
if redis.call('GET', C .. ':seeded') == me then redis.call('SET', C .. ':seeded', 'done') end
return 1
"""
"""The seeding worker has scheduled every seed."""


_DEDUPE = BEFORE + """
local C, S, me = ARGV[1], ARGV[2], ARGV[3]
local threshold, since, full = tonumber(ARGV[4]), ARGV[5], ARGV[6] == '1'
local nperm, bands = tonumber(ARGV[7]), ARGV[8]
local claims, places = C .. ':claims', C .. ':prec'
local LAST = '~'  -- the place of an article whose place is unknown: after every other
-- A claim of this crawl stands when it was delivered ('+') or its worker is alive.
local function stands(cid)
  local owner = redis.call('HGET', claims, cid)
  if not owner then return false end
  if owner == '+' then return true end
  return redis.call('EXISTS', C .. ':alive:' .. owner) == 1
end
-- A fingerprint an earlier run recorded, first seen within the window (never in a full run).
local function earlier_run(cid)
  if full then return false end
  local first = redis.call('HGET', S .. ':fpfirst', cid)
  return first ~= false and (since == '' or not before(first, since))
end
-- Where a kept article stands in publication order: its claim's place in this crawl, else
-- the place recorded with an earlier run's fingerprint.
local function place(cid)
  local key
  if stands(cid) then key = redis.call('HGET', places, cid)
  else key = redis.call('HGET', S .. ':fpprec', cid) end
  return key or LAST
end
-- Values of sig (16 bits each) equal to the low 16 bits of other's (stride bytes each, from
-- byte offset + 1, little-endian).
local function same_values(sig, other, stride, offset)
  local same = 0
  for i = 0, nperm - 1 do
    local a1, a2 = string.byte(sig, 2 * i + 1, 2 * i + 2)
    local p = offset + stride * i + 1
    local b1, b2 = string.byte(other, p, p + 1)
    if a1 == b1 and a2 == b2 then same = same + 1 end
  end
  return same
end
-- Kept articles (standing claims, earlier runs' within the window) the bands in ARGV[first:]
-- propose and whose estimated similarity to sig reaches the threshold: {id, equal values}.
local function similar(sig, first, skip)
  local found = {}
  if sig == '' or first > #ARGV then return found end
  local fields = {}
  for i = first, #ARGV do fields[#fields + 1] = ARGV[i] end
  local seen = {}
  for _, list in ipairs(redis.call('HMGET', bands, unpack(fields))) do
    if list then
      for cid in string.gmatch(list, '%S+') do
        if cid ~= skip and not seen[cid] then
          seen[cid] = true
          local other, stride, offset = nil, 2, 0
          if stands(cid) then
            other = redis.call('HGET', C .. ':sigs', cid)
          elseif earlier_run(cid) then
            other, stride, offset = redis.call('HGET', S .. ':fp', cid), 4, 16
          end
          if other and #other == offset + stride * nperm then
            local same = same_values(sig, other, stride, offset)
            if same / nperm >= threshold then found[#found + 1] = {cid, same} end
          end
        end
      end
    end
  end
  return found
end
"""
# ARGV of CLAIM and NEAR: 1 crawl prefix, 2 fingerprint prefix (state prefix + scheme), 3 worker,
# 4 threshold, 5 window start (ISO 8601, '' for all), 6 full run ('1'/'0'), 7 permutations,
# 8 band hash key, 9 article id, 10 canonical URL (or ''), 11 body hash, 12 signature (the low 16
# bits of each value, little-endian; '' for an empty body), 13 place (precedence key), 14 check
# ('1': check, then claim; '0': claim), 15… band fields.

CLAIM = _REQUEUE + _DEDUPE + """
local id, url, bh, sig, here = ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13]
unhold(C, me, id)  -- judged now: the other workers' later articles may follow
local later, listed = {}, {}
local function note_later(cid)
  if not listed[cid] then listed[cid] = true; later[#later + 1] = cid end
end
if ARGV[14] == '1' then
  if stands(id) then return {'duplicate_id', id, nperm} end
  if url ~= '' then
    local kept = redis.call('HGET', C .. ':urls', url)
    if kept and kept ~= id and stands(kept) then
      if before(place(kept), here) then return {'duplicate_id', kept, nperm} end
      note_later(kept)
    end
  end
  -- The earliest kept article with this body: this crawl's, or an earlier run's.
  local first, first_place = nil, nil
  local function consider(cid)
    if cid and cid ~= id and (stands(cid) or earlier_run(cid)) then
      local p = place(cid)
      if not first or before(p, first_place) then first, first_place = cid, p end
    end
  end
  consider(redis.call('HGET', C .. ':bodies', bh))
  local recorded = redis.call('HGET', S .. ':fpbody', bh)
  if recorded then
    for cid in string.gmatch(recorded, '%S+') do consider(cid) end
  end
  if first then
    if before(first_place, here) then return {'duplicate_body', first, nperm} end
    note_later(first)
  end
  -- The most similar earlier article; among equals, the earliest.
  local best, best_same, best_place = nil, -1, nil
  for _, found in ipairs(similar(sig, 15, id)) do
    local cid, same = found[1], found[2]
    local p = place(cid)
    if not before(p, here) then
      note_later(cid)
    elseif same > best_same or (same == best_same and before(p, best_place)) then
      best, best_same, best_place = cid, same, p
    end
  end
  if best then return {'near_duplicate', best, best_same} end
end
-- New: claim it, with its place, and hold its keys where it is the earliest standing claim.
redis.call('HSET', claims, id, me)
redis.call('HSET', places, id, here)
local function keep(hash, key)
  local kept = redis.call('HGET', hash, key)
  if not kept or kept == id or not stands(kept) or before(here, place(kept)) then
    redis.call('HSET', hash, key, id)
  end
end
if url ~= '' then keep(C .. ':urls', url) end
keep(C .. ':bodies', bh)
if sig ~= '' then
  redis.call('HSET', C .. ':sigs', id, sig)
  for i = 15, #ARGV do
    local cur = redis.call('HGET', bands, ARGV[i])
    if not cur then
      redis.call('HSET', bands, ARGV[i], id)
    elseif not string.find(' ' .. cur .. ' ', ' ' .. id .. ' ', 1, true) then
      redis.call('HSET', bands, ARGV[i], cur .. ' ' .. id)
    end
  end
end
return {'new', '', 0, unpack(later)}
"""
"""Check a story against this crawl's claims and earlier runs' fingerprints and, when it is
new, claim it, all in one step: two workers reaching the same story at once get one ``new``
and one duplicate. The rules of :meth:`newscrawl.neardup.Deduper.check`: a kept article
counts only when it comes *before* this one in publication order (the places of claims are
kept in ``…:prec``, those of earlier runs' fingerprints in ``…:fpprec``).

``ARGV``: see above. Returns ``[reason, kept id, equal signature values]``, or, when new
(and now claimed), ``['new', '', 0, later…]``: the kept articles this one precedes and
resembles (:attr:`newscrawl.neardup.Deduper.last_preceded`). A claim by a worker that died
before delivering the article does not stand: the article is crawled again (its request was
requeued) and claimed afresh."""

NEAR = _DEDUPE + """
local found = similar(ARGV[12], 15, nil)
local flat = {}
for _, pair in ipairs(found) do flat[#flat + 1] = pair[1]; flat[#flat + 1] = pair[2] end
return flat
"""
"""The kept articles whose estimated similarity to a signature reaches the threshold, as
``[id, equal values, …]`` (the protocol's ``near``; ``ARGV`` as for :data:`CLAIM`)."""

SETTLE = _REQUEUE + """
local C, me, id = ARGV[1], ARGV[2], ARGV[3]
unhold(C, me, id)  -- dropped before the dedupe: it will never be judged
if redis.call('HGET', C .. ':claims', id) == me then redis.call('HSET', C .. ':claims', id, '+') end
return 1
"""
"""The claimed article went through the pipelines (written, or dropped after the dedupe): its
claim stands even once this worker is gone. An article dropped before the dedupe leaves the
release order here (a judged one left it in :data:`CLAIM`)."""
