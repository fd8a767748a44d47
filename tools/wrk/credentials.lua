-- Public verification pages under wrk, for docs/benchmarks.md:
--
--   CREDENTIAL_IDS=ids.txt wrk -t2 -c64 -d10s --latency -s tools/wrk/credentials.lua http://127.0.0.1:18181
--
-- Each request asks for /credentials/{id}, the IDs taken in turn from the
-- file CREDENTIAL_IDS (one a line), as another visitor: a new address in
-- X-Forwarded-For (10.0.0.0/8, a range per wrk thread), since the page
-- allows 60 lookups a minute per address. The server must trust the
-- loopback proxy: CERTPORTAL_TRUSTED_PROXIES=127.0.0.1/32.

local threads = 0

function setup(thread)
  thread:set("first", threads * 4194304)
  threads = threads + 1
end

local ids = {}
local n = 0

function init(args)
  local path = os.getenv("CREDENTIAL_IDS")
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  if #ids == 0 then error("no credential IDs in " .. tostring(path)) end
  n = first
end

function request()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local a = n % 16777216
  local addr = string.format("10.%d.%d.%d", math.floor(a / 65536), math.floor(a / 256) % 256, a % 256)
  return wrk.format("GET", "/credentials/" .. id, { ["X-Forwarded-For"] = addr })
end
