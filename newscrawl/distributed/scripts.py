"""The Lua scripts that make the frontier and the dedupe claims atomic across workers.

Each runs inside Redis as one command, so two workers never interleave within one: a request
is in the frontier or leased to exactly one worker, a fingerprint is scheduled once, and a story
is claimed by one worker. ``ARGV[1]`` is always the crawl prefix (:attr:`CrawlKeys.crawl`);
key names are built inside the scripts from it (one Redis server, not Redis Cluster).

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
  redis.call('DEL', leases)
  redis.call('SREM', C .. ':workers', w)
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
local id = redis.call('INCR', C .. ':lease_seq')
redis.call('HSET', C .. ':leases:' .. me, id, got[2] .. '\\n' .. got[1])
return {id, got[1]}
"""
"""Count ``ARGV[3]`` more links, finish the leases in ``ARGV[4:]``, then move the first request
of the frontier into this worker's leases. Returns ``[lease id, data]`` or nil."""

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
  busy = busy + redis.call('HLEN', C .. ':leases:' .. w)
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
leases in ``ARGV[4:]``, requeues the leases of dead workers, and returns ``[queued, leased
anywhere, requeued, seeding, links]``."""

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
           C .. ':lease_seq', C .. ':claims', C .. ':urls', C .. ':bodies', C .. ':sigs',
           C .. ':links')
return {requeued, 1, links}
"""
"""A worker stops: count ``ARGV[4]`` more links, finish the leases in ``ARGV[5:]``, give back
the others, unregister. When it finished (``ARGV[3]`` = 1) and no worker and no request is
left, delete the crawl's keys. Returns ``[requeued, cleared, links of the whole crawl]``."""

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

CLAIM = """
local C, S, me, id, url, bh, sig = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local threshold, since, full = tonumber(ARGV[8]), ARGV[9], ARGV[10] == '1'
local nperm, bands = tonumber(ARGV[11]), ARGV[12]
local claims = C .. ':claims'
-- A claim of this crawl stands when it was delivered ('+') or its worker is alive.
local function stands(cid)
  local owner = redis.call('HGET', claims, cid)
  if not owner then return false end
  if owner == '+' then return true end
  return redis.call('EXISTS', C .. ':alive:' .. owner) == 1
end
-- A fingerprint an earlier run recorded, within the window (never in a full run).
local function earlier(cid)
  if full then return false end
  local first = redis.call('HGET', S .. ':fpfirst', cid)
  return first and (since == '' or first >= since)
end
if stands(id) then return {'duplicate_id', id, '1'} end
local url_free = true
if url ~= '' then
  local kept = redis.call('HGET', C .. ':urls', url)
  if kept and kept ~= id and stands(kept) then return {'duplicate_id', kept, '1'} end
  url_free = not (kept and stands(kept))
end
local kept = redis.call('HGET', C .. ':bodies', bh)
if kept and kept ~= id and stands(kept) then return {'duplicate_body', kept, '1'} end
local body_free = not (kept and stands(kept))
kept = redis.call('HGET', S .. ':fpbody', bh)
if kept and kept ~= id and (stands(kept) or earlier(kept)) then
  return {'duplicate_body', kept, '1'}
end
local fields = {}
for i = 13, #ARGV do fields[#fields + 1] = ARGV[i] end
if sig ~= '' then
  local best, best_sim = nil, 0
  local seen = {}
  for _, list in ipairs(redis.call('HMGET', bands, unpack(fields))) do
    if list then
      for cid in string.gmatch(list, '%S+') do
        if cid ~= id and not seen[cid] then
          seen[cid] = true
          local other = nil
          if stands(cid) then
            other = redis.call('HGET', C .. ':sigs', cid)
          elseif earlier(cid) then
            local rec = redis.call('HGET', S .. ':fp', cid)
            if rec then other = string.sub(rec, 17) end
          end
          if other and #other == #sig then
            local same = 0
            for p = 1, #sig, 4 do
              if string.sub(sig, p, p + 3) == string.sub(other, p, p + 3) then same = same + 1 end
            end
            local sim = same / nperm
            if sim >= threshold and sim > best_sim then best, best_sim = cid, sim end
          end
        end
      end
    end
  end
  if best then return {'near_duplicate', best, tostring(best_sim)} end
end
redis.call('HSET', claims, id, me)
if url ~= '' and url_free then redis.call('HSET', C .. ':urls', url, id) end
if body_free then redis.call('HSET', C .. ':bodies', bh, id) end
if sig ~= '' then
  redis.call('HSET', C .. ':sigs', id, sig)
  for _, field in ipairs(fields) do
    local cur = redis.call('HGET', bands, field)
    if not cur then
      redis.call('HSET', bands, field, id)
    elseif not string.find(' ' .. cur .. ' ', ' ' .. id .. ' ', 1, true) then
      redis.call('HSET', bands, field, cur .. ' ' .. id)
    end
  end
end
return {'new', '', '0'}
"""
"""Check a story against this crawl's claims and earlier runs' fingerprints and, when it is
new, claim it, all in one step: two workers reaching the same story at once get one ``new``
and one duplicate. Returns ``[reason, kept id, similarity]`` (reason ``new`` when claimed).

``ARGV``: crawl prefix, fingerprint prefix (state prefix + scheme), worker, article id,
canonical URL (or ``''``), body hash, signature (or ``''``), threshold, window start (ISO
8601, ``''`` for all), full run (``1``/``0``), permutations, band hash key, band fields.
A claim by a worker that died before delivering the article does not stand: the article is
crawled again (its request was requeued) and claimed afresh."""

SETTLE = """
local C, me, id = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', C .. ':claims', id) == me then redis.call('HSET', C .. ':claims', id, '+') end
return 1
"""
"""The claimed article went through the pipelines (written, or dropped after the dedupe): its
claim stands even once this worker is gone."""
